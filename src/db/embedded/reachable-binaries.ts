import { chmodSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedServerError } from '../../errors/embedded-server-error.js';
import { binariesAt, type PostgresBinaries } from './postgres-binaries.js';
import { canAccess, type ServerAccount } from './server-account.js';

const COMPLETE_MARKER = '.cellar-complete';

/** Temporary directories other users can traverse, most specific first. */
export function sharedTempRoots(): string[] {
  return [...new Set([tmpdir(), '/tmp', '/var/tmp'])];
}

/** The first shared temporary directory the account can traverse and this process can write. */
export function reachableTempRoot(account: ServerAccount): string {
  const root = sharedTempRoots().find((dir) => existsSync(dir) && canAccess(account, [['-x', dir]]));
  if (!root) throw EmbeddedServerError.serverUser(`none of ${sharedTempRoots().join(', ')} can be traversed by the postgres user`);
  return root;
}

/**
 * Binaries the account can run. When the server runs as another user (as root) and that user cannot
 * reach the package — a checkout in a private home directory or a `mktemp -d` folder — the package's
 * binaries are copied once to a shared temporary directory keyed by version and reused by later runs.
 * The user's own directories are never opened up. The copy is made under a temporary name and renamed
 * into place, so concurrent starts never see half of one; a copy this process did not make, or that
 * others could have written, is not trusted.
 */
export function reachableBinaries(binaries: PostgresBinaries, account: ServerAccount): PostgresBinaries {
  if (canAccess(account, [['-x', binaries.postgres], ['-x', binaries.initdb], ['-r', path.join(binaries.dir, 'share')]])) return binaries;
  const root = reachableTempRoot(account);
  const name = `cellar-postgres-${binaries.version}-${process.platform}-${process.arch}-uid${process.getuid?.() ?? 0}`;
  const target = path.join(root, name);
  if (!trusted(target)) makeCopy(binaries.dir, target);
  const copy = binariesAt(binaries, target);
  if (!canAccess(account, [['-x', copy.postgres], ['-x', copy.initdb]])) {
    throw EmbeddedServerError.serverUser(`it cannot run the binaries copied to ${target}`);
  }
  return copy;
}

function trusted(dir: string): boolean {
  try {
    const stat = statSync(dir);
    const ownedByUs = stat.uid === (process.getuid?.() ?? stat.uid);
    return stat.isDirectory() && ownedByUs && (stat.mode & 0o022) === 0 && existsSync(path.join(dir, COMPLETE_MARKER));
  } catch {
    return false;
  }
}

function makeCopy(source: string, target: string): void {
  const staging = mkdtempSync(`${target}.partial-`);
  try {
    cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
    writeFileSync(path.join(staging, COMPLETE_MARKER), `${source}\n`);
    chmodSync(staging, 0o755);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true }); // an untrusted or unfinished one
    renameSync(staging, target);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    // A concurrent start renamed its copy into place first: use that one.
    if (trusted(target)) return;
    throw EmbeddedServerError.serverUser(`copying the binaries to ${target} failed`, e);
  }
}
