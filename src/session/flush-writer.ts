import type { Connection } from '../db/connection.js';
import { toCellarError } from '../db/pg-error-converter.js';
import { DbError } from '../errors/db-error.js';
import { OptimisticLockError } from '../errors/optimistic-lock-error.js';
import type { ColumnMeta } from '../schema/entity-meta.js';
import { chunk } from '../sql/chunks.js';
import { columnArray, keyArrays } from './column-arrays.js';
import type { ParentKeyDelete } from './cascade-by-parent.js';
import { COMBINED_MAX_ROWS, combinedWrite } from './combined-write.js';
import { copyPieces } from './copy-rows.js';
import { statementsFor } from './entity-statements.js';
import type { WriteOperation } from './flush-planner.js';
import type { RowState } from './row-state.js';
import { checkReturned, type Increments, type ReadBack, writeParams } from './write-rows.js';

export type { ReadBack } from './write-rows.js';

/**
 * Executes planned writes. A small flush (up to {@link COMBINED_MAX_ROWS} rows) writes its inserts
 * and updates in one combined statement (see `combinedWrite`), then its deletes; a larger one writes
 * one statement per operation per chunk of `chunkSize` rows — an entity's inserts of `copyFrom` rows
 * or more as one streamed `COPY … FROM STDIN` instead. Every update and delete must match
 * exactly the rows it names (and their version, when the entity has one); anything less raises
 * `OptimisticLockError` naming exactly the rows that did not match.
 */
export class FlushWriter {
  constructor(
    readonly chunkSize: number,
    /** Write the inserts and updates of a small flush in one statement (`DatabaseOptions.combineWrites`). */
    readonly combine = true,
    /** Rows of one entity's inserts from which they go by COPY (`DatabaseOptions.copyInsertsFrom`). */
    readonly copyFrom = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Runs the operations, and `byParent` (children deleted by their parents' keys) before the deletes;
   * `increments` holds the deltas of incremented columns. Returns the values the database gave
   * incremented columns, for the caller to store in the rows once every write succeeded, and how many
   * rows the parent-key deletes removed.
   */
  async execute(operations: readonly WriteOperation[], connection: Connection, increments: Increments, byParent: readonly ParentKeyDelete[] = []): Promise<{ readBack: ReadBack[]; deletedByParent: number }> {
    const readBack: ReadBack[] = [];
    let deletedByParent = 0;
    const writes = operations.filter((op) => op.kind !== 'delete');
    const deletes = operations.filter((op) => op.kind === 'delete');
    if (this.combine && writes.length >= 2 && !writes.some(this.#copies) && writes.reduce((n, op) => n + op.rows.length, 0) <= Math.min(COMBINED_MAX_ROWS, this.chunkSize)) {
      await this.#combined(writes, connection, increments, readBack);
    } else await this.#each(writes, connection, increments, readBack);
    // Children of deleted parents by the parents' keys, deepest first, before the parents themselves.
    for (const d of byParent) deletedByParent += (await connection.query(d.sql, d.params, { entity: d.meta.name, table: d.meta.table, operation: 'DELETE' })).rowCount ?? 0;
    await this.#each(deletes, connection, increments, readBack);
    return { readBack, deletedByParent };
  }

  async #each(operations: readonly WriteOperation[], connection: Connection, increments: Increments, readBack: ReadBack[]): Promise<void> {
    for (const op of operations) {
      if (this.#copies(op)) {
        await this.#copy(op, connection);
        continue;
      }
      for (const rows of op.rows.length <= this.chunkSize ? [op.rows] : chunk(op.rows, this.chunkSize)) await this.#write(op, rows, connection, increments, readBack);
    }
  }

  /** Whether the operation is an entity's inserts large enough to go by COPY. */
  readonly #copies = (op: WriteOperation): boolean => op.kind === 'insert' && op.rows.length >= this.copyFrom;

  /** One entity's inserts as one `COPY … FROM STDIN`, streamed: no parameter or chunk limit applies. */
  async #copy(op: WriteOperation, connection: Connection): Promise<void> {
    const { meta, rows } = op;
    await connection.copyIn(statementsFor(meta).copyInsert, copyPieces(meta, rows), { entity: meta.name, table: meta.table, operation: 'COPY', ids: () => rows.map((r) => r.id) });
  }

  async #combined(operations: readonly WriteOperation[], connection: Connection, increments: Increments, readBack: ReadBack[]): Promise<void> {
    const { text, offsets, tables } = combinedWrite(operations);
    const params = operations.flatMap((op) => writeParams(op, op.rows, increments));
    const context = {
      operation: 'WRITE',
      table: tables,
      rowsWritten: operations.reduce((n, op) => n + op.rows.length, 0),
      ids: () => operations.flatMap((op) => op.rows.map((r) => r.id)),
    };
    let result: { rows: unknown[][] };
    try {
      result = await connection.queryArrays(text, params, context);
    } catch (e) {
      throw attributed(e, operations);
    }
    const byPart = operations.map((): unknown[][] => []);
    for (const row of result.rows) byPart[row[0] as number]?.push(row);
    operations.forEach((op, n) => {
      if (op.kind === 'update') checkReturned(op, op.rows, byPart[n] as unknown[][], offsets[n] as number, readBack);
    });
  }

  async #write(op: WriteOperation, rows: readonly RowState[], connection: Connection, increments: Increments, readBack: ReadBack[]): Promise<void> {
    const { meta } = op;
    const statements = statementsFor(meta);
    const context = { entity: meta.name, table: meta.table, operation: op.kind.toUpperCase(), ids: () => rows.map((r) => r.id) };
    const versioned = meta.versionIndex >= 0;
    switch (op.kind) {
      case 'insert': {
        await connection.query(statements.insert, writeParams(op, rows, increments), context);
        return;
      }
      case 'update': {
        const params = writeParams(op, rows, increments);
        if (op.incremented.length > 0) {
          const returned = await connection.queryArrays(statements.updateReturning(op.columns, op.incremented), params, context);
          checkReturned(op, rows, returned.rows, 0, readBack);
          return;
        }
        if (versioned) {
          const stale = await connection.queryArrays(statements.update(op.columns), params, context);
          if (stale.rows.length > 0) throw new OptimisticLockError(meta.name, stale.rows.map((r) => meta.key.idOfResult(r)));
          return;
        }
        const result = await connection.query(statements.update(op.columns), params, context);
        if (result.rowCount !== rows.length) await this.#raiseMissing(op, rows, connection);
        return;
      }
      case 'delete': {
        const params = keyArrays(meta, rows);
        if (versioned) params.push(columnArray(meta.columns[meta.versionIndex] as ColumnMeta, rows));
        const notDeleted = await connection.queryArrays(statements.delete, params, context);
        if (notDeleted.rows.length > 0) throw new OptimisticLockError(meta.name, notDeleted.rows.map((r) => meta.key.idOfResult(r)));
        return;
      }
    }
  }

  /** An unversioned update matched fewer rows than sent: the missing ones were deleted by someone else. */
  async #raiseMissing(op: WriteOperation, rows: readonly RowState[], connection: Connection): Promise<never> {
    const { meta } = op;
    const { key } = meta;
    const result = await connection.queryArrays(statementsFor(meta).existingIds, keyArrays(meta, rows));
    const present = new Set(result.rows.map((r) => key.mapKeyOf(key.idOfResult(r))));
    throw new OptimisticLockError(meta.name, rows.filter((row) => !present.has(key.mapKeyOfRow(row.values))).map((row) => row.id));
  }
}

/**
 * A failure of the combined statement, told like a per-entity write's: PostgreSQL names the table
 * whose row it refused, so the error names that entity and the ids that part was writing.
 */
function attributed(error: unknown, operations: readonly WriteOperation[]): unknown {
  if (!(error instanceof DbError) || error.table === undefined) return error;
  const op = operations.find((o) => o.meta.tableName === error.table);
  return op ? toCellarError(error.cause, { entity: op.meta.name, ids: op.rows.map((r) => r.id) }) : error;
}
