/**
 * Stable error codes. A code never changes meaning between releases, so callers may switch on it.
 */
export type CellarErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CELL_LIMIT'
  | 'OPTIMISTIC_LOCK'
  | 'SESSION_ABORTED'
  | 'SESSION_CLOSED'
  | 'DETACHED'
  | 'SQL_PARAM'
  | 'DEFINITION'
  | 'BULK_JOB'
  | 'JOB_FAILED'
  | 'NO_SESSION'
  | 'COMMIT_OUTCOME_UNKNOWN'
  | 'EMBEDDED_SERVER'
  | 'USAGE'
  | 'DB'
  | 'CONSTRAINT_VIOLATION'
  | 'UNIQUE_VIOLATION'
  | 'FOREIGN_KEY_VIOLATION'
  | 'NOT_NULL_VIOLATION'
  | 'CHECK_VIOLATION'
  | 'DEADLOCK'
  | 'SERIALIZATION_FAILURE'
  | 'LOCK_NOT_AVAILABLE'
  | 'LOCK_TIMEOUT'
  | 'STATEMENT_TIMEOUT'
  | 'CONNECTION_LOST'
  | 'QUERY_TIMEOUT'
  | 'POOL_TIMEOUT'
  | 'SCHEMA_MISMATCH';

/**
 * Base class of every error cellar throws on purpose.
 *
 * @example
 * ```ts
 * try { await s.commit(); } catch (e) {
 *   if (e instanceof CellarError && e.code === 'OPTIMISTIC_LOCK') retryLater();
 * }
 * ```
 */
export abstract class CellarError extends Error {
  /** Stable machine-readable code; see {@link CellarErrorCode}. */
  abstract readonly code: CellarErrorCode;

  /**
   * How many times `db.transaction` ran the transaction before giving up with this error (set when
   * the call had a `retry` policy; 1 when the failure was not one to retry).
   */
  attempts?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
