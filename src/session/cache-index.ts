import type { EntityMeta } from '../schema/entity-meta.js';
import { compareIds, compositeKey, type IndexKey, primitiveKey, singleKey } from '../schema/keys.js';
import { isLive, type RowState, RowStatus } from './row-state.js';

/**
 * An index of the transaction cache by one or more columns: the machinery behind collections
 * (`byParent`, keyed by the parent-ref column) and transactional indexes (`byKey`). It holds every
 * cached row of the entity under its current key, follows inserts, deletes and `set()` of key
 * columns, and remembers which keys were read from the database — including keys with no rows — so
 * that a second read of a key is served without a statement.
 */
export class CacheIndex {
  /**
   * One bucket per key: its rows (an array, not a Set: collections are small and there is one per
   * parent) and whether the key was read. One map lookup answers both.
   */
  readonly #buckets = new Map<IndexKey, Bucket>();
  readonly #single: boolean;
  /** For a one-column key whose values are already primitive (ids, refs, ints, text): the column. */
  readonly #rawColumn: number;

  constructor(
    readonly meta: EntityMeta,
    /** The key columns, by position in the row's values. */
    readonly columns: readonly number[],
  ) {
    this.#single = columns.length === 1;
    this.#rawColumn = this.#single && meta.columns[columns[0] as number]?.type.primitiveKey === true ? (columns[0] as number) : -1;
  }

  /** The key of a row's current values. */
  keyOfRow(row: RowState): IndexKey {
    if (this.#rawColumn >= 0) return primitiveKey(row.values[this.#rawColumn] as IndexKey);
    return this.#single ? singleKey(row.values[this.columns[0] as number]) : compositeKey(this.columns.map((i) => row.values[i]));
  }

  /** The key of normalized key values, in column order. */
  keyOf(values: readonly unknown[]): IndexKey {
    return this.#single ? singleKey(values[0]) : compositeKey(values);
  }

  /**
   * The key of the values at `positions` of another row: a parent's key columns, for the collection
   * keyed by the child's columns that reference them (one-column keys take no array).
   */
  keyAt(values: readonly unknown[], positions: readonly number[]): IndexKey {
    return positions.length === 1 ? singleKey(values[positions[0] as number]) : compositeKey(positions.map((i) => values[i]));
  }

  /** Whether the key column set includes this column. */
  covers(columnIndex: number): boolean {
    return this.columns.includes(columnIndex);
  }

  add(row: RowState): void {
    const key = this.keyOfRow(row);
    const bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, { rows: [row], loaded: false, gone: 0 });
    else if (bucket.rows.length < 8) bucket.rows = appendExact(bucket.rows, row);
    else bucket.rows.push(row);
  }

  /**
   * Takes a row out of its key's bucket. A row that is gone (deleted and flushed) may stay in a large
   * bucket for a while — every read skips rows that are not live — and the bucket is compacted once
   * half of it is gone: deleting a 200,000-row collection row by row stays linear, where a splice per
   * row would be quadratic. A live row (moved to another key) always leaves at once.
   */
  remove(row: RowState, key: IndexKey = this.keyOfRow(row)): void {
    const k = primitiveKey(key);
    const bucket = this.#buckets.get(k);
    if (!bucket) return;
    const rows = bucket.rows;
    if (rows.length > LAZY_REMOVAL_FROM && !isLive(row)) {
      bucket.gone++;
      if (bucket.gone * 2 > rows.length) {
        bucket.rows = rows.filter(isLive);
        bucket.gone = 0;
      }
    } else {
      const at = rows.indexOf(row);
      if (at < 0) return;
      rows.splice(at, 1);
    }
    if (bucket.rows.length === 0 && !bucket.loaded) this.#buckets.delete(k);
  }

  /** Moves a row whose key columns changed from `oldKey`. */
  move(row: RowState, oldKey: IndexKey): void {
    this.remove(row, oldKey);
    this.add(row);
  }

  /** Whether the key's rows were read from the database (or are known to be only the session's). */
  isLoaded(key: IndexKey): boolean {
    return this.#buckets.get(primitiveKey(key))?.loaded === true;
  }

  /** The key's live rows if the key was loaded, else undefined: one lookup for the cached path. */
  liveIfLoaded(key: IndexKey): RowState[] | undefined {
    const bucket = this.#buckets.get(primitiveKey(key));
    if (!bucket?.loaded) return undefined;
    const out: RowState[] = [];
    return appendLiveRows(bucket.rows, out) ? out : out.sort(byId);
  }

  markLoaded(key: IndexKey): void {
    this.#bucket(primitiveKey(key)).loaded = true;
  }

  /**
   * Marks the key loaded and appends its live rows to `out`, in no particular order (one lookup);
   * with `deletedToo`, rows deleted in the session (not yet flushed) as well.
   */
  markLoadedAndAppend(key: IndexKey, out: RowState[], deletedToo = false): void {
    const bucket = this.#bucket(primitiveKey(key));
    bucket.loaded = true;
    const rows = bucket.rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as RowState;
      if (isLive(row) || (deletedToo && row.status === RowStatus.Deleted)) out.push(row);
    }
  }

  /** Live rows (loaded or new, not deleted) under the key, in key order. */
  live(key: IndexKey): RowState[] {
    const out: RowState[] = [];
    return this.appendLive(key, out) ? out : out.sort(byId);
  }

  /** Appends the key's live rows to `out`; returns whether they came in id order. */
  appendLive(key: IndexKey, out: RowState[]): boolean {
    const bucket = this.#buckets.get(primitiveKey(key));
    return bucket ? appendLiveRows(bucket.rows, out) : true;
  }

  #bucket(key: IndexKey): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { rows: [], loaded: false, gone: 0 };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The key the row had before `columnIndex` held `oldValue`. */
  keyBefore(row: RowState, columnIndex: number, oldValue: unknown): IndexKey {
    if (this.#single) return singleKey(oldValue);
    return compositeKey(this.columns.map((i) => (i === columnIndex ? oldValue : row.values[i])));
  }
}

interface Bucket {
  rows: RowState[];
  loaded: boolean;
  /** Rows of `rows` that are gone but not yet compacted away (see {@link CacheIndex.remove}). */
  gone: number;
}

/** Buckets up to this size remove a row at once; larger ones let gone rows wait for a compaction. */
const LAZY_REMOVAL_FROM = 64;

/**
 * A copy of `rows` with `row` appended, in an array of exactly that length. Most collections are
 * short and there is one per parent: `push` (or a spread, which pushes) would reserve 17+ slots, a
 * third of the memory batchIn retains for 2-row collections.
 */
function appendExact(rows: readonly RowState[], row: RowState): RowState[] {
  const n = rows.length;
  const out = new Array<RowState>(n + 1);
  for (let i = 0; i < n; i++) out[i] = rows[i] as RowState;
  out[n] = row;
  return out;
}

function appendLiveRows(rows: readonly RowState[], out: RowState[]): boolean {
  const start = out.length;
  let sorted = true;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as RowState;
    if (!isLive(row)) continue;
    if (sorted && out.length > start && byId(out[out.length - 1] as RowState, row) > 0) sorted = false;
    out.push(row);
  }
  return sorted;
}

/** Key order: a comparison of primitives for one-column keys, column by column for composite ones. */
function byId(a: RowState, b: RowState): number {
  return compareIds(a.id, b.id);
}
