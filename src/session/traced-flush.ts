import { type Context, context } from '@opentelemetry/api';
import type { Connection } from '../db/connection.js';
import type { Telemetry } from '../db/telemetry.js';
import { endSpan, failSpan, withSpan } from '../db/tracing.js';

/**
 * Runs a flush's writes under a span of their own, a child of the transaction's, so that each write
 * statement's span hangs below it; logs the flush at debug level (rows, statements, duration).
 */
export async function tracedFlush<T>(connection: Connection, telemetry: Telemetry, transaction: Context | undefined, rows: number, write: () => Promise<T>): Promise<T> {
  const { tracing, log } = telemetry;
  const span = tracing.startFlush(transaction, rows);
  const parent = connection.traceParent;
  if (span) connection.traceParent = withSpan(parent ?? context.active(), span);
  const statements = connection.statements;
  const started = performance.now();
  let result: T;
  try {
    result = await write();
  } catch (e) {
    failSpan(span, e);
    throw e;
  } finally {
    connection.traceParent = parent;
  }
  endSpan(span, rows);
  if (log.enabled('debug')) log.write('debug', { event: 'flush', rows, statements: connection.statements - statements, durationMs: performance.now() - started }, 'cellar flush');
  return result;
}
