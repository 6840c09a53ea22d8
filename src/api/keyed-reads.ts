import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import type { LockOptions } from '../session/row-lock.js';
import type { RowReader } from '../session/row-reader.js';
import { isLive, type RowState } from '../session/row-state.js';

/**
 * Rows by (normalized) keys, aligned with them (undefined where none): cached rows as they are, the
 * rest in one statement. The read behind `findMany` and `loadMany`.
 */
export async function rowsByKeys(reader: RowReader, meta: EntityMeta, keys: readonly unknown[]): Promise<(RowState | undefined)[]> {
  const cached = reader.identity(meta);
  const found = new Array<RowState | undefined>(keys.length);
  const missing: unknown[] = [];
  const missingAt: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const row = cached.get(key);
    if (row === undefined) {
      missing.push(key);
      missingAt.push(i);
    } else if (isLive(row)) found[i] = row;
  }
  if (missing.length < keys.length) reader.countHits(keys.length - missing.length);
  if (missing.length > 0) {
    const rows = await reader.byIds(meta, missing);
    // The index scan usually returns rows in the order asked; then no lookup is needed to place them.
    let inOrder = rows.length === missing.length;
    for (let j = 0; inOrder && j < rows.length; j++) inOrder = holdsKey(meta, (rows[j] as RowState).values, missing[j]);
    for (let j = 0; j < missingAt.length; j++) found[missingAt[j] as number] = inOrder ? rows[j] : reader.cached(meta, missing[j]);
  }
  return found;
}

/**
 * Rows by keys, read and locked in one statement (in key order), aligned with the keys. Only rows
 * the statement returned count: a row cached earlier but skipped (`skipLocked`: held by another) is
 * left out, since this session does not hold its lock.
 */
export async function lockedRows(reader: RowReader, meta: EntityMeta, keys: readonly unknown[], options: LockOptions): Promise<(RowState | undefined)[]> {
  const locked = new Set<RowState>(keys.length > 0 ? await reader.lockedByIds(meta, keys, options) : []);
  return keys.map((key) => {
    const row = reader.cached(meta, key);
    return row && locked.has(row) ? row : undefined;
  });
}

/** Whether a row's values hold this (normalized) id: compared in place, with no key built. */
function holdsKey(meta: EntityMeta, values: readonly unknown[], id: unknown): boolean {
  const at = meta.idIndex;
  if (at >= 0) return values[at] === id;
  const columns = meta.key.columns;
  for (let k = 0; k < columns.length; k++) if (values[(columns[k] as ColumnMeta).index] !== (id as readonly unknown[])[k]) return false;
  return true;
}
