import { USER_SQL } from '../db/connection.js';
import { ValidationError } from '../errors/validation-error.js';
import { createShapeDecoder, type Shape, type ShapeRow } from '../sql/row-shape.js';
import type { UnitOfWork } from '../session/unit-of-work.js';

/** Options of `session.stream`. */
export interface StreamOptions {
  /** Rows fetched per round trip (default 1,000). Memory holds about one batch. */
  readonly batchSize?: number;
}

let cursorNumber = 0;

/**
 * Streams a query's rows through a SQL-level cursor (`DECLARE … CURSOR` / `FETCH n` / `CLOSE`) in the
 * session's own transaction.
 *
 * Why not a protocol-level cursor (pg-cursor): node-postgres queues every other query of a client
 * while a portal is open on it (node-postgres issue 1895), so a loop body that loads a rop through the
 * same session would wait forever. With DECLARE/FETCH each batch is an ordinary statement, so the
 * session's other statements run between batches, the stream sees what the session flushed, and an
 * early `break` or a throw closes the cursor at once. The cursor lives as long as the transaction: a
 * `commit()` or `rollback()` inside the loop ends it, and the next batch raises a clear error.
 */
export async function* streamRows<S extends Shape>(
  uow: UnitOfWork,
  text: string,
  values: readonly unknown[],
  shape: S,
  options: StreamOptions,
): AsyncGenerator<ShapeRow<S>, void, undefined> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ValidationError(`stream batchSize must be a whole number ≥ 1, got ${batchSize}`);
  const name = `cellar_stream_${++cursorNumber}`;
  await uow.tx.run((c) => c.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, values, USER_SQL)); // a cursor name per stream: never prepared
  const transaction = uow.tx.transactionNumber;
  let open = true;
  try {
    let decode: ((row: readonly unknown[]) => ShapeRow<S>) | undefined;
    while (true) {
      if (uow.tx.transactionNumber !== transaction) {
        open = false;
        throw new ValidationError('the transaction this stream was reading in ended (commit or rollback inside the loop); use BulkProcess.chunkedQuery for jobs that commit as they go');
      }
      const batch = await uow.tx.run((c) => c.queryArrays(`FETCH ${batchSize} FROM ${name}`));
      decode ??= createShapeDecoder(shape, batch.fields);
      for (const row of batch.rows) yield decode(row);
      if (batch.rows.length < batchSize) break;
    }
  } finally {
    if (open && uow.tx.transactionNumber === transaction && uow.tx.usable) {
      await uow.tx.run((c) => c.query(`CLOSE ${name}`)).catch(() => undefined);
    }
  }
}
