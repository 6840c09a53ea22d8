import { CellarError } from '../errors/cellar-error.js';
import {
  CheckViolationError,
  ConstraintViolationError,
  ConnectionLostError,
  DbError,
  type DbErrorFields,
  DeadlockError,
  ForeignKeyViolationError,
  LockNotAvailableError,
  LockTimeoutError,
  NotNullViolationError,
  SerializationFailureError,
  StatementTimeoutError,
  UniqueViolationError,
} from '../errors/db-error.js';

type DbErrorClass = new (message: string, fields: DbErrorFields, cause: unknown) => DbError;

const BY_SQLSTATE: Readonly<Record<string, DbErrorClass>> = {
  '23505': UniqueViolationError,
  '23503': ForeignKeyViolationError,
  '23502': NotNullViolationError,
  '23514': CheckViolationError,
  '40P01': DeadlockError,
  '40001': SerializationFailureError,
  '55P03': LockNotAvailableError,
  '57014': StatementTimeoutError,
  '57P01': ConnectionLostError,
  '57P02': ConnectionLostError,
  '57P03': ConnectionLostError,
};

const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

interface PgErrorLike {
  message?: string;
  code?: string;
  constraint?: string;
  detail?: string;
  table?: string;
  column?: string;
}

/**
 * Wraps whatever node-postgres threw into the `DbError` tree by SQLSTATE, keeping PostgreSQL's fields,
 * the entity and ids the statement was writing (when known), and the original error as `cause`.
 * cellar's own errors pass through unchanged.
 */
export function toCellarError(error: unknown, context: { entity?: string; ids?: readonly unknown[] } = {}): CellarError {
  if (error instanceof CellarError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as PgErrorLike;
  const sqlState = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  const lost =
    (sqlState?.startsWith('08') ?? false) ||
    (e.code !== undefined && SOCKET_CODES.has(e.code)) ||
    /Connection terminated|connection is closed|Client has encountered a connection error|not queryable/i.test(e.message ?? '');
  // 55P03 is both a NOWAIT refusal and an expired lock_timeout; only the message tells them apart.
  const timedOut = sqlState === '55P03' && /lock timeout/i.test(e.message ?? '');
  const Class = (timedOut && LockTimeoutError) || (sqlState && BY_SQLSTATE[sqlState]) || (lost ? ConnectionLostError : sqlState?.startsWith('23') ? ConstraintViolationError : DbError);
  const fields: DbErrorFields = {
    sqlState,
    constraint: e.constraint,
    detail: e.detail,
    table: e.table,
    column: e.column,
    entity: context.entity,
    ids: context.ids,
  };
  const where = context.entity ? ` (writing ${context.ids?.length ?? 0} ${context.entity} rows)` : '';
  return new Class(`${e.message ?? 'database error'}${sqlState ? ` [${sqlState}]` : ''}${where}${e.detail ? `: ${e.detail}` : ''}`, fields, error);
}
