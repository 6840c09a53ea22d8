import { ValidationError } from '../errors/validation-error.js';

/**
 * A row lock of PostgreSQL's locking clause: `'update'` (FOR UPDATE: exclusive, for rows you will
 * change or delete), `'noKeyUpdate'` (FOR NO KEY UPDATE: for changes that leave the key alone —
 * foreign keys pointing at the row still work), `'share'` (FOR SHARE: others may read and share, not
 * change), `'keyShare'` (FOR KEY SHARE: only key changes and deletes are kept out).
 */
export type LockMode = 'update' | 'noKeyUpdate' | 'share' | 'keyShare';

/** A pessimistic lock on the rows a read returns, held until the transaction ends. */
export interface LockOptions {
  /** The lock to take. */
  readonly lock: LockMode;
  /** Leave out rows another transaction holds instead of waiting for them (SKIP LOCKED). */
  readonly skipLocked?: boolean;
  /** Fail at once with `LOCK_NOT_AVAILABLE` instead of waiting when another transaction holds a row (NOWAIT). */
  readonly noWait?: boolean;
}

const CLAUSES: Readonly<Record<LockMode, string>> = {
  update: 'FOR UPDATE',
  noKeyUpdate: 'FOR NO KEY UPDATE',
  share: 'FOR SHARE',
  keyShare: 'FOR KEY SHARE',
};

/**
 * The locking clause of `options` over the row alias `t` (` FOR UPDATE OF t NOWAIT`), or `VALIDATION`
 * for a mode that does not exist or for `skipLocked` with `noWait` (PostgreSQL takes one of them).
 */
export function lockClause(entity: string, options: LockOptions): string {
  const clause = Object.hasOwn(CLAUSES, options.lock) ? CLAUSES[options.lock] : undefined;
  if (clause === undefined) {
    throw new ValidationError(`${entity}: lock ${JSON.stringify(options.lock)} is none of 'update', 'noKeyUpdate', 'share', 'keyShare'`, entity);
  }
  if (options.skipLocked && options.noWait) throw new ValidationError(`${entity}: a lock takes skipLocked or noWait, not both`, entity);
  return ` ${clause} OF t${options.skipLocked ? ' SKIP LOCKED' : options.noWait ? ' NOWAIT' : ''}`;
}
