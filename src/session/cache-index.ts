import type { EntityMeta } from '../schema/entity-meta.js';
import { compositeKey, type IndexKey, singleKey } from './index-key.js';
import { type RowState, RowStatus } from './row-state.js';

/**
 * An index of the transaction cache by one or more columns: the machinery behind collections
 * (`byParent`, keyed by the parent-ref column) and transactional indexes (`byKey`). It holds every
 * cached row of the entity under its current key, follows inserts, deletes and `set()` of key
 * columns, and remembers which keys were read from the database — including keys with no rows — so
 * that a second read of a key is served without a statement.
 */
export class CacheIndex {
  readonly #rows = new Map<IndexKey, Set<RowState>>();
  readonly #loaded = new Set<IndexKey>();
  readonly #single: boolean;

  constructor(
    readonly meta: EntityMeta,
    /** The key columns, by position in the row's values. */
    readonly columns: readonly number[],
  ) {
    this.#single = columns.length === 1;
  }

  /** The key of a row's current values. */
  keyOfRow(row: RowState): IndexKey {
    return this.#single ? singleKey(row.values[this.columns[0] as number]) : compositeKey(this.columns.map((i) => row.values[i]));
  }

  /** The key of normalized key values, in column order. */
  keyOf(values: readonly unknown[]): IndexKey {
    return this.#single ? singleKey(values[0]) : compositeKey(values);
  }

  /** Whether the key column set includes this column. */
  covers(columnIndex: number): boolean {
    return this.columns.includes(columnIndex);
  }

  add(row: RowState): void {
    const key = this.keyOfRow(row);
    const set = this.#rows.get(key);
    if (set) set.add(row);
    else this.#rows.set(key, new Set([row]));
  }

  remove(row: RowState, key: IndexKey = this.keyOfRow(row)): void {
    const set = this.#rows.get(key);
    if (set?.delete(row) && set.size === 0) this.#rows.delete(key);
  }

  /** Moves a row whose key columns changed from `oldKey`. */
  move(row: RowState, oldKey: IndexKey): void {
    this.remove(row, oldKey);
    this.add(row);
  }

  /** Whether the key's rows were read from the database (or are known to be only the session's). */
  isLoaded(key: IndexKey): boolean {
    return this.#loaded.has(key);
  }

  markLoaded(key: IndexKey): void {
    this.#loaded.add(key);
  }

  /** Live rows (loaded or new, not deleted) under the key, in id order. */
  live(key: IndexKey): RowState[] {
    const set = this.#rows.get(key);
    if (!set) return [];
    const out: RowState[] = [];
    let sorted = true;
    for (const row of set) {
      if (row.status !== RowStatus.Loaded && row.status !== RowStatus.New) continue;
      if (sorted && out.length > 0 && (out[out.length - 1] as RowState).id > row.id) sorted = false;
      out.push(row);
    }
    return sorted ? out : out.sort(byId);
  }

  /** The key the row had before `columnIndex` held `oldValue`. */
  keyBefore(row: RowState, columnIndex: number, oldValue: unknown): IndexKey {
    if (this.#single) return singleKey(oldValue);
    return compositeKey(this.columns.map((i) => (i === columnIndex ? oldValue : row.values[i])));
  }
}

function byId(a: RowState, b: RowState): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
