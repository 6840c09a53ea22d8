import type { Connection } from '../db/connection.js';
import { OptimisticLockError } from '../errors/optimistic-lock-error.js';
import type { ColumnMeta } from '../schema/entity-meta.js';
import { quoteIdentifier as q } from '../schema/naming.js';
import { chunk } from '../sql/chunks.js';
import { columnArray, idArray } from './column-arrays.js';
import { statementsFor } from './entity-statements.js';
import type { WriteOperation } from './flush-planner.js';
import type { RowState } from './row-state.js';

/**
 * Executes planned writes: one statement per operation per chunk of `chunkSize` rows. Every update
 * and delete must match exactly the rows it names (and their version, when the entity has one);
 * anything less raises `OptimisticLockError` naming the rows that did not match.
 */
export class FlushWriter {
  constructor(readonly chunkSize: number) {}

  async execute(operations: readonly WriteOperation[], connection: Connection): Promise<void> {
    for (const op of operations) {
      for (const rows of op.rows.length <= this.chunkSize ? [op.rows] : chunk(op.rows, this.chunkSize)) {
        await this.#write(op, rows, connection);
      }
    }
  }

  async #write(op: WriteOperation, rows: readonly RowState[], connection: Connection): Promise<void> {
    const { meta } = op;
    const statements = statementsFor(meta);
    const context = { entity: meta.name, table: meta.table, ids: () => rows.map((r) => r.id) };
    const versioned = meta.versionIndex >= 0;
    switch (op.kind) {
      case 'insert': {
        await connection.query(statements.insert, meta.columns.map((c) => columnArray(c, rows)), context);
        return;
      }
      case 'update': {
        const params = [idArray(rows, meta.idIndex), ...op.columns.map((i) => columnArray(meta.columns[i] as ColumnMeta, rows))];
        if (versioned) params.push(columnArray(meta.columns[meta.versionIndex] as ColumnMeta, rows));
        const result = await connection.query(statements.update(op.columns), params, context);
        if (result.rowCount !== rows.length) await this.#raiseLockFailure(op, rows, connection);
        return;
      }
      case 'delete': {
        const params = [idArray(rows, meta.idIndex)];
        if (versioned) params.push(columnArray(meta.columns[meta.versionIndex] as ColumnMeta, rows));
        const result = await connection.query(statements.delete, params, context);
        if (result.rowCount !== rows.length) await this.#raiseLockFailure(op, rows, connection);
        return;
      }
    }
  }

  /**
   * Finds which rows did not match and throws naming them. After an update, the matched rows carry
   * version + 1 and the others are missing or at another version; after a delete, the matched rows
   * are gone and the ones still present are the failures.
   */
  async #raiseLockFailure(op: WriteOperation, rows: readonly RowState[], connection: Connection): Promise<never> {
    const { meta } = op;
    const version = meta.versionIndex >= 0 ? (meta.columns[meta.versionIndex] as ColumnMeta).column : undefined;
    const result = await connection.queryArrays(
      `SELECT ${q(meta.id.column)}${version ? `, ${q(version)}` : ''} FROM ${q(meta.table)} WHERE ${q(meta.id.column)} = ANY($1::int8[])`,
      [idArray(rows, meta.idIndex)],
    );
    const current = new Map(result.rows.map((r) => [r[0] as bigint, r[1]]));
    const failed = rows
      .filter((row) => {
        if (op.kind === 'delete') return current.has(row.id);
        if (!current.has(row.id)) return true;
        return version !== undefined && current.get(row.id) !== (row.values[meta.versionIndex] as number) + 1;
      })
      .map((row) => row.id);
    throw new OptimisticLockError(meta.name, failed.length > 0 ? failed : rows.map((r) => r.id));
  }
}
