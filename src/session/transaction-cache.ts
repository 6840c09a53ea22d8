import type { EntityMeta } from '../schema/entity-meta.js';
import { CacheIndex } from './cache-index.js';
import type { KeyMeta } from '../schema/key-meta.js';
import { type IndexKey, type MapKey, singleMapKey } from '../schema/keys.js';
import type { RowState } from './row-state.js';
import { TupleMap } from './tuple-map.js';

/**
 * The rows of one entity by key. A one-column key is one Map lookup of its primitive map key (an
 * int8 id within ±2^53 under its `number` value: small integer keys hash and compare faster than
 * bigint ones, and leave the garbage collector fewer pointers to follow in a table of 100,000 rows);
 * a composite key walks a {@link TupleMap}, one primitive lookup per column, with no key built.
 *
 * Batches of rows known to be absent (a `batchIn` or `loadMany` of ids nobody cached) are kept as
 * arrays and filed into the map at the first lookup: a document walked through its collections only
 * never pays for hashing its rows by key.
 */
export class IdentityMap {
  readonly #single: Map<MapKey, RowState> | undefined;
  readonly #tuples: TupleMap<RowState> | undefined;
  readonly #at: number;
  readonly #keyOf: (value: unknown) => MapKey;
  readonly #rowPositions: readonly number[];
  readonly #idPositions: readonly number[];
  #unfiled: RowState[][] = [];
  #unfiledCount = 0;
  /** The unfiled batch new rows are appended to (see {@link IdentityMap.addFresh}). */
  #fresh: RowState[] | undefined;

  constructor(key: KeyMeta) {
    this.#at = key.index;
    this.#keyOf = key.partKeys[0] ?? singleMapKey;
    this.#rowPositions = key.columns.map((c) => c.index);
    this.#idPositions = key.columns.map((_, i) => i);
    if (key.composite) this.#tuples = new TupleMap(key.partKeys);
    else this.#single = new Map();
  }

  /** The row of an id (as `KeyMeta.normalize` gives it). */
  get(id: unknown): RowState | undefined {
    this.#file();
    return this.#single ? this.#single.get(this.#keyOf(id)) : this.#tuples?.get(id as readonly unknown[], this.#idPositions);
  }

  /** The row with the key of these values (a database row, in column order). */
  getByValues(values: readonly unknown[]): RowState | undefined {
    this.#file();
    return this.#single ? this.#single.get(this.#keyOf(values[this.#at])) : this.#tuples?.get(values, this.#rowPositions);
  }

  hasValues(values: readonly unknown[]): boolean {
    return this.getByValues(values) !== undefined;
  }

  set(row: RowState): void {
    this.#file();
    this.#put(row);
  }

  /** Adds rows whose keys are known not to be in the map (nor repeated within `rows`). */
  addAbsent(rows: RowState[]): void {
    this.#unfiled.push(rows);
    this.#unfiledCount += rows.length;
  }

  /**
   * Adds a row under a key nobody can hold yet (an id just taken from the sequence), unfiled like
   * {@link addAbsent}: a unit of work inserting 300,000 rows and looking none up by key never pays
   * for hashing them.
   */
  addFresh(row: RowState): void {
    let batch = this.#fresh;
    if (batch === undefined) {
      batch = [];
      this.#fresh = batch;
      this.#unfiled.push(batch);
    }
    batch.push(row);
    this.#unfiledCount++;
  }

  delete(row: RowState): boolean {
    this.#file();
    return this.#single ? this.#single.delete(this.#keyOf(row.values[this.#at])) : (this.#tuples as TupleMap<RowState>).delete(row.values, this.#rowPositions);
  }

  get size(): number {
    return (this.#single?.size ?? this.#tuples?.size ?? 0) + this.#unfiledCount;
  }

  values(): IterableIterator<RowState> {
    this.#file();
    return this.#single ? this.#single.values() : (this.#tuples as TupleMap<RowState>).values();
  }

  #put(row: RowState): void {
    if (this.#single) this.#single.set(this.#keyOf(row.values[this.#at]), row);
    else (this.#tuples as TupleMap<RowState>).set(row.values, this.#rowPositions, row);
  }

  /** Files every unfiled batch into the map. */
  #file(): void {
    if (this.#unfiledCount === 0) return;
    for (const batch of this.#unfiled) for (let i = 0; i < batch.length; i++) this.#put(batch[i] as RowState);
    this.#unfiled = [];
    this.#unfiledCount = 0;
    this.#fresh = undefined;
  }
}

interface EntityRows {
  readonly rows: IdentityMap;
  /** Incremented by every add and remove: lets a loader know that nothing entered since it looked. */
  changes: number;
  /** Indexes over these rows, created on first use of a collection or transactional index. */
  readonly indexes: CacheIndex[];
}

/**
 * The identity map: one row object per (entity, id) for the life of a cache epoch. Rows deleted in
 * the session stay in it (as Deleted) so that later reads keep them out, until the flush removes them.
 * It also keeps the entity's {@link CacheIndex}es in step with every add, remove and key change;
 * entities nobody indexes pay nothing for them.
 */
export class TransactionCache {
  readonly #entities = new Map<EntityMeta, EntityRows>();

  /** The cached row, or undefined. */
  get(meta: EntityMeta, id: unknown): RowState | undefined {
    return this.#entities.get(meta)?.rows.get(id);
  }

  /** All cached rows of an entity (any status), keyed by id. */
  rowsOf(meta: EntityMeta): IdentityMap {
    return this.#of(meta).rows;
  }

  /** A counter that changes whenever a row of the entity is added or removed. */
  changesOf(meta: EntityMeta): number {
    return this.#entities.get(meta)?.changes ?? 0;
  }

  /** Files a row (a keyless entity's new rows are not filed: nothing can look them up). */
  add(row: RowState): void {
    if (row.meta.key.keyless) return;
    addTo(this.#of(row.meta), row);
  }

  /** Adds rows whose ids are known not to be cached (see {@link IdentityMap.addAbsent}). */
  addAbsent(meta: EntityMeta, rows: RowState[]): void {
    const entry = this.#of(meta);
    entry.rows.addAbsent(rows);
    entry.changes += rows.length;
    for (const index of entry.indexes) for (let i = 0; i < rows.length; i++) index.add(rows[i] as RowState);
  }

  /** Adds a new row under an id just generated (see {@link IdentityMap.addFresh}). */
  addFresh(row: RowState): void {
    addTo(this.#of(row.meta), row, true);
  }

  /** A function adding rows of one entity, for loops that add many (one entity lookup, not one per row). */
  adder(meta: EntityMeta): (row: RowState) => void {
    const entry = this.#of(meta);
    return (row) => addTo(entry, row);
  }

  remove(row: RowState): void {
    if (row.meta.key.keyless) return;
    const entry = this.#entities.get(row.meta);
    if (!entry?.rows.delete(row)) return;
    entry.changes++;
    for (const index of entry.indexes) index.remove(row);
  }

  /** The index of an entity over these columns, created (from the rows cached now) on first use. */
  indexFor(meta: EntityMeta, columns: readonly number[]): CacheIndex {
    const entry = this.#of(meta);
    let index = entry.indexes.find((i) => i.columns.length === columns.length && i.columns.every((c, k) => c === columns[k]));
    if (!index) {
      index = new CacheIndex(meta, columns);
      for (const row of entry.rows.values()) index.add(row);
      entry.indexes.push(index);
    }
    return index;
  }

  /** Re-files a row under its new key after `set()` changed column `columnIndex` from `oldValue`. */
  valueChanged(row: RowState, columnIndex: number, oldValue: unknown): void {
    const entry = this.#entities.get(row.meta);
    if (!entry) return;
    for (const index of entry.indexes) if (index.covers(columnIndex)) index.move(row, index.keyBefore(row, columnIndex, oldValue));
  }

  /** Replaces a cached row's values with fresher ones from the database, re-filing it in the indexes. */
  replaceValues(row: RowState, values: unknown[]): void {
    const indexes = this.#entities.get(row.meta)?.indexes ?? [];
    const oldKeys = indexes.map((index) => index.keyOfRow(row));
    row.values = values;
    indexes.forEach((index, i) => index.move(row, oldKeys[i] as IndexKey));
  }

  clear(): void {
    this.#entities.clear();
  }

  #of(meta: EntityMeta): EntityRows {
    let entry = this.#entities.get(meta);
    if (!entry) {
      entry = { rows: new IdentityMap(meta.key), changes: 0, indexes: [] };
      this.#entities.set(meta, entry);
    }
    return entry;
  }
}

/** Files a row (unfiled when `fresh`: its key is new) and keeps the entity's indexes in step. */
function addTo(entry: EntityRows, row: RowState, fresh = false): void {
  if (fresh) entry.rows.addFresh(row);
  else entry.rows.set(row);
  entry.changes++;
  const { indexes } = entry;
  for (let i = 0; i < indexes.length; i++) (indexes[i] as CacheIndex).add(row);
}
