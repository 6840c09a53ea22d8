import { OptimisticLockError } from '../errors/optimistic-lock-error.js';
import type { ColumnMeta } from '../schema/entity-meta.js';
import { columnArray, keyArrays, valuesArray } from './column-arrays.js';
import type { WriteOperation } from './flush-planner.js';
import type { RowState } from './row-state.js';

/** A value the database gave a written row's column (an increment read back). */
export interface ReadBack {
  readonly row: RowState;
  readonly columnIndex: number;
  readonly value: unknown;
}

/** The deltas of pending increments, per row and column. */
export type Increments = ReadonlyMap<RowState, ReadonlyMap<number, unknown>>;

/**
 * The array parameters of an insert or update of `rows`, in the order of the entity's statements:
 * every column for an insert; the keys, then the changed columns (deltas for incremented ones), then
 * the expected versions for an update.
 */
export function writeParams(op: WriteOperation, rows: readonly RowState[], increments: Increments): string[] {
  const { meta } = op;
  if (op.kind === 'insert') return meta.columns.map((c) => columnArray(c, rows));
  const params = keyArrays(meta, rows);
  for (const i of op.columns) {
    const column = meta.columns[i] as ColumnMeta;
    params.push(op.incremented.includes(i) ? valuesArray(column, rows.map((r) => increments.get(r)?.get(i))) : columnArray(column, rows));
  }
  if (meta.versionIndex >= 0) params.push(columnArray(meta.columns[meta.versionIndex] as ColumnMeta, rows));
  return params;
}

/**
 * Checks the rows an update returned (`RETURNING` keys, then incremented columns, from column `at`
 * of each result row) against the rows it was sent: values of incremented columns go to `readBack`;
 * a row not returned did not match (vanished, or a stale version): `OPTIMISTIC_LOCK` naming them.
 */
export function checkReturned(op: WriteOperation, rows: readonly RowState[], returned: readonly (readonly unknown[])[], at: number, readBack: ReadBack[]): void {
  // Keys are unique and each row is sent once: as many rows back as sent means every row matched.
  if (op.incremented.length === 0 && returned.length === rows.length) return;
  const { meta } = op;
  const { key } = meta;
  const byKey = new Map(rows.map((r) => [key.mapKeyOfRow(r.values), r]));
  const k = key.columns.length;
  for (const values of returned) {
    const part = at === 0 ? values : values.slice(at);
    const mapKey = key.mapKeyOf(key.idOfResult(part as unknown[]));
    const row = byKey.get(mapKey);
    if (!row) continue;
    byKey.delete(mapKey);
    op.incremented.forEach((i, j) => {
      const column = meta.columns[i] as ColumnMeta;
      readBack.push({ row, columnIndex: i, value: column.type.fromDriver(part[k + j], column.spec) });
    });
  }
  if (byKey.size > 0) throw new OptimisticLockError(meta.name, [...byKey.values()].map((r) => r.id));
}
