import type { Connection } from '../db/connection.js';
import { OptimisticLockError } from '../errors/optimistic-lock-error.js';
import type { ColumnMeta } from '../schema/entity-meta.js';
import { chunk } from '../sql/chunks.js';
import { columnArray, keyArrays, valuesArray } from './column-arrays.js';
import { statementsFor } from './entity-statements.js';
import type { WriteOperation } from './flush-planner.js';
import type { RowState } from './row-state.js';

/** A value the database gave a written row's column (an increment read back). */
export interface ReadBack {
  readonly row: RowState;
  readonly columnIndex: number;
  readonly value: unknown;
}

/**
 * Executes planned writes: one statement per operation per chunk of `chunkSize` rows. Every update
 * and delete must match exactly the rows it names (and their version, when the entity has one);
 * anything less raises `OptimisticLockError` naming exactly the rows that did not match: versioned
 * updates and all deletes have the server return those ids, an unversioned update can only miss
 * rows that are gone.
 */
export class FlushWriter {
  constructor(readonly chunkSize: number) {}

  /**
   * Runs the operations; `increments` holds the deltas of incremented columns. Returns the values the
   * database gave incremented columns, for the caller to store in the rows once every write succeeded.
   */
  async execute(operations: readonly WriteOperation[], connection: Connection, increments: ReadonlyMap<RowState, ReadonlyMap<number, unknown>>): Promise<ReadBack[]> {
    const readBack: ReadBack[] = [];
    for (const op of operations) {
      for (const rows of op.rows.length <= this.chunkSize ? [op.rows] : chunk(op.rows, this.chunkSize)) {
        if (op.kind === 'update' && op.incremented.length > 0) await this.#increment(op, rows, connection, increments, readBack);
        else await this.#write(op, rows, connection);
      }
    }
    return readBack;
  }

  /** An update with incremented columns: deltas sent for them, every updated row's new values read back. */
  async #increment(op: WriteOperation, rows: readonly RowState[], connection: Connection, increments: ReadonlyMap<RowState, ReadonlyMap<number, unknown>>, readBack: ReadBack[]): Promise<void> {
    const { meta } = op;
    const params = [...keyArrays(meta, rows)];
    for (const i of op.columns) {
      const column = meta.columns[i] as ColumnMeta;
      params.push(op.incremented.includes(i) ? valuesArray(column, rows.map((r) => increments.get(r)?.get(i))) : columnArray(column, rows));
    }
    if (meta.versionIndex >= 0) params.push(columnArray(meta.columns[meta.versionIndex] as ColumnMeta, rows));
    const context = { entity: meta.name, table: meta.table, operation: 'UPDATE', ids: () => rows.map((r) => r.id) };
    const result = await connection.queryArrays(statementsFor(meta).update(op.columns, op.incremented), params, context);
    const { key } = meta;
    const byKey = new Map(rows.map((r) => [key.mapKeyOfRow(r.values), r]));
    const k = key.columns.length;
    for (const returned of result.rows) {
      const row = byKey.get(key.mapKeyOf(key.idOfResult(returned)));
      if (!row) continue;
      byKey.delete(key.mapKeyOfRow(row.values));
      op.incremented.forEach((i, j) => {
        const column = meta.columns[i] as ColumnMeta;
        readBack.push({ row, columnIndex: i, value: column.type.fromDriver(returned[k + j], column.spec) });
      });
    }
    if (byKey.size > 0) throw new OptimisticLockError(meta.name, [...byKey.values()].map((r) => r.id));
  }

  async #write(op: WriteOperation, rows: readonly RowState[], connection: Connection): Promise<void> {
    const { meta } = op;
    const statements = statementsFor(meta);
    const context = { entity: meta.name, table: meta.table, operation: op.kind.toUpperCase(), ids: () => rows.map((r) => r.id) };
    const versioned = meta.versionIndex >= 0;
    switch (op.kind) {
      case 'insert': {
        await connection.query(statements.insert, meta.columns.map((c) => columnArray(c, rows)), context);
        return;
      }
      case 'update': {
        const params = [...keyArrays(meta, rows), ...op.columns.map((i) => columnArray(meta.columns[i] as ColumnMeta, rows))];
        if (versioned) {
          params.push(columnArray(meta.columns[meta.versionIndex] as ColumnMeta, rows));
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
