import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { Database } from '../api/database.js';
import { migrationFile } from '../schema/migration-plan.js';
import { CliError, EXIT, withoutPassword } from './cli-error.js';
import { loadEntities } from './load-entities.js';

/** Where migrations live and which table records them (node-pg-migrate's own default, so its CLI works on them too). */
export const MIGRATIONS_TABLE = 'pgmigrations';

/** `cellar migrate diff`: writes `<dir>/<timestamp>_<name>.sql`, or nothing when the database matches. Returns the file, if any. */
export async function migrateDiff(options: { readonly url: string; readonly entities: string; readonly dir: string; readonly name: string; readonly allowDestructive: boolean }, say: (line: string) => void): Promise<string | undefined> {
  if (!/^[\w-]+$/.test(options.name)) throw new CliError(`--name takes letters, digits, - and _ (it becomes the file name); got "${options.name}"`, EXIT.usage);
  const entities = await loadEntities(options.entities);
  const db = await Database.open({ url: options.url, entities, pool: { max: 1, applicationName: 'cellar migrate' } });
  try {
    const plan = await db.schema.migrationPlan();
    if (plan.steps.length === 0 && plan.manual.length === 0) {
      say('cellar migrate diff: the database matches the definitions; no migration written');
      return undefined;
    }
    mkdirSync(options.dir, { recursive: true });
    const file = path.join(options.dir, `${Date.now()}_${options.name}.sql`);
    writeFileSync(file, migrationFile(plan, { allowDestructive: options.allowDestructive, source: `the entities of ${options.entities} against ${withoutPassword(options.url)}` }));
    say(`cellar migrate diff: ${plan.steps.length} change${plan.steps.length === 1 ? '' : 's'} → ${file}`);
    for (const s of plan.steps) if (s.destructive && !options.allowDestructive) say(`cellar migrate diff: written commented out (destructive): ${s.up.split('\n')[0]} — ${s.destructive}`);
    for (const m of plan.manual) say(`cellar migrate diff: not generated, change it by hand: ${m}`);
    return file;
  } finally {
    await db.close();
  }
}

/** `cellar migrate up` / `down`: node-pg-migrate's runner over `dir`, each migration in a transaction, under its advisory lock. */
export async function migrateRun(options: { readonly url: string; readonly dir: string; readonly direction: 'up' | 'down'; readonly count: number | undefined }, say: (line: string) => void): Promise<number> {
  const count = options.count ?? (options.direction === 'down' ? 1 : Infinity);
  let ran;
  try {
    ran = await runner({ databaseUrl: options.url, dir: options.dir, direction: options.direction, migrationsTable: MIGRATIONS_TABLE, count, checkOrder: true, log: () => undefined });
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    const code = (e as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000') throw new CliError(`cannot reach the database (${withoutPassword(options.url)}): ${message}`, EXIT.unreachable);
    if (code === '42501') throw new CliError(`permission denied (${withoutPassword(options.url)}): ${message}; run the migration as the tables' owner`, EXIT.permission);
    throw new CliError(`migrate ${options.direction} failed and was rolled back: ${message}`, EXIT.migration);
  }
  say(ran.length === 0 ? `cellar migrate ${options.direction}: nothing to run` : `cellar migrate ${options.direction}: ${ran.map((m) => m.name).join(', ')}`);
  return ran.length;
}
