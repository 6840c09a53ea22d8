import { CellarError, type CellarErrorCode } from './cellar-error.js';

/** PostgreSQL's error fields that cellar keeps on a {@link DbError}. */
export interface DbErrorFields {
  /** SQLSTATE, e.g. `23505`. */
  readonly sqlState?: string;
  readonly constraint?: string;
  readonly detail?: string;
  readonly table?: string;
  readonly column?: string;
  /** The entity whose write failed, when the failing statement was a flush write. */
  readonly entity?: string;
  /** Ids of the rows that statement was writing. */
  readonly ids?: readonly unknown[];
}

/**
 * An error reported by PostgreSQL or the connection to it, with PostgreSQL's fields kept and the
 * driver's original error as `cause`. Subclasses name the cases callers handle differently.
 */
export class DbError extends CellarError implements DbErrorFields {
  readonly code: CellarErrorCode = 'DB';
  readonly sqlState?: string;
  readonly constraint?: string;
  readonly detail?: string;
  readonly table?: string;
  readonly column?: string;
  readonly entity?: string;
  readonly ids?: readonly unknown[];

  constructor(message: string, fields: DbErrorFields, cause: unknown) {
    super(message, { cause });
    Object.assign(this, stripUndefined(fields));
  }

  /** True for the errors worth retrying the whole transaction for (deadlock, serialization failure). */
  get transient(): boolean {
    return false;
  }
}

function stripUndefined(fields: DbErrorFields): Partial<DbErrorFields> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/**
 * 23xxx: PostgreSQL refused the data — a unique key, a foreign key, NOT NULL or a CHECK. `constraint`
 * (and `detail`) name which; the subclasses name the common cases. Catch this class to handle any.
 */
export class ConstraintViolationError extends DbError {
  override readonly code: CellarErrorCode = 'CONSTRAINT_VIOLATION';
}

/** 23505: a unique constraint or primary key was violated. */
export class UniqueViolationError extends ConstraintViolationError {
  override readonly code = 'UNIQUE_VIOLATION' as const;
}

/** 23503: a foreign key points at a missing row, or a referenced row is being deleted. */
export class ForeignKeyViolationError extends ConstraintViolationError {
  override readonly code = 'FOREIGN_KEY_VIOLATION' as const;
}

/** 23502: NULL written to a NOT NULL column. */
export class NotNullViolationError extends ConstraintViolationError {
  override readonly code = 'NOT_NULL_VIOLATION' as const;
}

/** 23514: a CHECK constraint failed. */
export class CheckViolationError extends ConstraintViolationError {
  override readonly code = 'CHECK_VIOLATION' as const;
}

/** 40P01: PostgreSQL broke a deadlock by aborting this transaction. Retrying usually succeeds. */
export class DeadlockError extends DbError {
  override readonly code = 'DEADLOCK' as const;
  override get transient(): boolean {
    return true;
  }
}

/** 40001: a SERIALIZABLE or REPEATABLE READ transaction could not be serialized. Retry it. */
export class SerializationFailureError extends DbError {
  override readonly code = 'SERIALIZATION_FAILURE' as const;
  override get transient(): boolean {
    return true;
  }
}

/**
 * 55P03: a lock could not be taken — a `noWait` lock found the row held by another transaction.
 * Nothing waited; the transaction is aborted: roll back, then try again later or take other rows
 * (`skipLocked`).
 */
export class LockNotAvailableError extends DbError {
  override readonly code: CellarErrorCode = 'LOCK_NOT_AVAILABLE';
}

/** 55P03 after waiting: `lock_timeout` expired while waiting for a lock. */
export class LockTimeoutError extends LockNotAvailableError {
  override readonly code = 'LOCK_TIMEOUT' as const;
}

/** 57014: the statement was cancelled, usually by `statement_timeout`. */
export class StatementTimeoutError extends DbError {
  override readonly code = 'STATEMENT_TIMEOUT' as const;
}

/** The connection to PostgreSQL broke (08xxx, 57P01…, or a socket error). The transaction is lost. */
export class ConnectionLostError extends DbError {
  override readonly code = 'CONNECTION_LOST' as const;

  /** The connection was already known dead, so COMMIT was never sent: the transaction did not commit. */
  static beforeCommit(cause: unknown): ConnectionLostError {
    return new ConnectionLostError(
      `the connection was lost before COMMIT was sent, so nothing was committed (${describe(cause)}); rollback() and run the transaction again`,
      {},
      cause,
    );
  }

  /** The connection was already known dead: the statement was not sent. */
  static beforeSend(cause: unknown): ConnectionLostError {
    return new ConnectionLostError(`the connection was lost before this statement was sent (${describe(cause)}); its transaction is gone: rollback() and run it again`, {}, cause);
  }
}

/**
 * The client gave up waiting for a reply after `queryTimeoutMs`: the statement was cancelled on the
 * server and the connection destroyed (its late reply can never reach another statement). The
 * transaction is lost; a timed-out COMMIT is `COMMIT_OUTCOME_UNKNOWN` instead.
 */
export class QueryTimeoutError extends DbError {
  override readonly code = 'QUERY_TIMEOUT' as const;

  constructor(
    /** The limit that passed. */
    readonly timeoutMs: number,
    sql: string,
  ) {
    super(`no reply within queryTimeoutMs (${timeoutMs} ms) to: ${sql.length > 100 ? `${sql.slice(0, 97)}...` : sql}; the statement was cancelled and its connection closed`, {}, undefined);
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
