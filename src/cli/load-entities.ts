import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EntityBase } from '../schema/entity.js';
import { CliError, EXIT } from './cli-error.js';

function isEntity(value: unknown): value is EntityBase {
  const meta = (value as { meta?: { table?: unknown; name?: unknown } } | null)?.meta;
  return typeof value === 'object' && value !== null && typeof meta?.table === 'string' && typeof meta.name === 'string';
}

/**
 * The entities a module exports (each exported entity, and the members of exported arrays). A
 * TypeScript module is loaded through tsx when the process does not already understand `.ts`.
 */
export async function loadEntities(modulePath: string): Promise<EntityBase[]> {
  const url = pathToFileURL(path.resolve(modulePath)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (first) {
    if (!/\.[cm]?ts$/.test(modulePath) || (first as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw unloadable(modulePath, first);
    try {
      const tsx = (await import('tsx/esm/api' as string)) as { register: () => unknown };
      tsx.register();
      loaded = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw unloadable(modulePath, e, 'install tsx in the project (npm i -D tsx) or point --entities at compiled JavaScript');
    }
  }
  const found = new Set<EntityBase>();
  for (const value of Object.values(loaded)) {
    if (isEntity(value)) found.add(value);
    else if (Array.isArray(value)) for (const v of value) if (isEntity(v)) found.add(v);
  }
  if (found.size === 0) throw new CliError(`${modulePath} exports no entity (export the defineEntity results, or an array of them)`, EXIT.entities);
  return [...found];
}

function unloadable(modulePath: string, e: unknown, hint = 'fix the module, or point --entities at another'): CliError {
  return new CliError(`cannot load the entities module ${modulePath}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}; ${hint}`, EXIT.entities);
}
