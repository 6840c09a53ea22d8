import { compareIds } from '../schema/keys.js';
import type { EntityMeta } from '../schema/entity-meta.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import type { ChangeTracker } from './change-tracker.js';
import { dirtyIndexes, dirtyKey } from './dirty-columns.js';
import { type RowState, RowStatus } from './row-state.js';

const NONE: number[] = [];

/** One batched write: a kind of change to one entity, for rows sorted by id. */
export interface WriteOperation {
  readonly kind: 'insert' | 'update' | 'delete';
  readonly meta: EntityMeta;
  /** Rows sorted by id, so that concurrent flushes lock rows in the same order and cannot deadlock. */
  readonly rows: readonly RowState[];
  /** For updates: the changed column indexes, shared by every row of the operation. */
  readonly columns: readonly number[];
  /** For updates: those of `columns` written as `f = f + delta` (`rop.increment`), ascending; read back after the write. */
  readonly incremented: readonly number[];
}

/**
 * Turns the tracked changes into writes in an order the foreign keys accept: inserts with referenced
 * entities first, then updates (grouped by the set of changed columns, writing only those), then
 * deletes with referencing entities first.
 */
export function planFlush(tracker: ChangeTracker, registry: EntityRegistry): WriteOperation[] {
  const inserts: WriteOperation[] = [];
  const updates: WriteOperation[] = [];
  const deletes: WriteOperation[] = [];
  for (const meta of registry.writeOrder) {
    const tracked = tracker.rowsOf(meta);
    if (tracked.length === 0) continue; // a short transaction touches few of the entities
    const newRows: RowState[] = [];
    const deletedRows: RowState[] = [];
    const byColumns = new Map<number | string, { columns: number[]; incremented: number[]; rows: RowState[] }>();
    const { increments } = tracker;
    for (const row of tracked) {
      if (row.status === RowStatus.New) newRows.push(row);
      else if (row.status === RowStatus.Deleted) deletedRows.push(row);
      else if (row.status === RowStatus.Loaded && row.dirty !== null) {
        // Rows share a statement when they change the same columns the same way (set or incremented).
        const incremented = increments.size > 0 ? [...(increments.get(row)?.keys() ?? [])].sort((a, b) => a - b) : NONE;
        const key = incremented.length > 0 ? `${dirtyKey(row.dirty)}+${incremented.join(',')}` : dirtyKey(row.dirty);
        const group = byColumns.get(key);
        if (group) group.rows.push(row);
        else byColumns.set(key, { columns: dirtyIndexes(row.dirty), incremented, rows: [row] });
      }
    }
    if (newRows.length > 0) inserts.push({ kind: 'insert', meta, rows: sortById(newRows), columns: NONE, incremented: NONE });
    for (const { columns, incremented, rows } of byColumns.values()) updates.push({ kind: 'update', meta, rows: sortById(rows), columns, incremented });
    if (deletedRows.length > 0) deletes.push({ kind: 'delete', meta, rows: sortById(deletedRows), columns: NONE, incremented: NONE });
  }
  return [...inserts, ...updates, ...deletes.reverse()];
}

function sortById(rows: RowState[]): RowState[] {
  if (rows.length < 2) return rows;
  const compare = rowKeyComparator((rows[0] as RowState).meta);
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = compare(rows[i - 1] as RowState, rows[i] as RowState) < 0;
  return sorted ? rows : rows.sort(compare);
}

/** Rows by key, compared in place in their values (no key tuple built per comparison). */
function rowKeyComparator(meta: EntityMeta): (a: RowState, b: RowState) => number {
  const at = meta.key.columns.map((c) => c.index);
  if (at.length === 1) {
    const i = at[0] as number;
    return (a, b) => compareIds(a.values[i], b.values[i]);
  }
  return (a, b) => {
    for (const i of at) {
      const order = compareIds(a.values[i], b.values[i]);
      if (order !== 0) return order;
    }
    return 0;
  };
}
