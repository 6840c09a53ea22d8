import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { EmbeddedServerError } from '../../errors/embedded-server-error.js';

/**
 * The user the embedded server runs as: the current user, or — when that is root, which PostgreSQL
 * refuses — the `postgres` system user, created when missing.
 */
export interface ServerAccount {
  readonly name: string;
  /** Set when the server runs as another user than this process. */
  readonly uid?: number;
  readonly gid?: number;
}

/** The account for this process (see {@link ServerAccount}). */
export function serverAccount(): ServerAccount {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { name: 'current user' };
  const ids = lookup('postgres') ?? createPostgresUser();
  return { name: 'postgres', ...ids };
}

/**
 * Whether the account can reach these paths: each must exist and pass `test <flag>` (`-x` to run or
 * traverse, `-w` to write) when run as that user. Asked of the kernel rather than computed from
 * modes, so ACLs and every parent directory count; spawn drops supplementary groups, as it does
 * for the server itself.
 */
export function canAccess(account: ServerAccount, checks: readonly (readonly [flag: '-x' | '-w' | '-r', path: string])[]): boolean {
  if (account.uid === undefined) return checks.every(([flag, p]) => accessible(p, flag));
  const script = checks.map((_, i) => `test ${checks[i]?.[0]} "$${i + 1}"`).join(' && ');
  const result = spawnSync('/bin/sh', ['-c', script, 'sh', ...checks.map(([, p]) => p)], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
  return result.status === 0;
}

const MODES = { '-x': constants.X_OK, '-w': constants.W_OK, '-r': constants.R_OK } as const;

function accessible(file: string, flag: keyof typeof MODES): boolean {
  try {
    accessSync(file, MODES[flag]);
    return true;
  } catch {
    return false;
  }
}

function lookup(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function createPostgresUser(): { uid: number; gid: number } {
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // A concurrent start may have created it meanwhile.
    const ids = lookup('postgres');
    if (ids) return ids;
    throw EmbeddedServerError.serverUser('useradd failed', e);
  }
  const ids = lookup('postgres');
  if (!ids) throw EmbeddedServerError.serverUser('the user was created but cannot be looked up');
  return ids;
}
