import type { EntityMeta } from '../schema/entity-meta.js';
import { CacheIndex } from './cache-index.js';
import type { KeyMeta } from '../schema/key-meta.js';
import type { IndexKey, MapKey } from '../schema/keys.js';
import type { RowState } from './row-state.js';

/**
 * The rows of one entity by key. Keys go through `KeyMeta`: an int8 id within ±2^53 is stored under
 * its `number` value (small integer keys hash and compare faster than bigint ones, and leave the
 * garbage collector fewer pointers to follow in a table of 100,000 rows), a composite key under one
 * string, so every key shape costs one primitive Map lookup.
 *
 * Batches of rows known to be absent (a `batchIn` or `loadMany` of ids nobody cached) are kept as
 * arrays and filed into the map at the first lookup: a document walked through its collections only
 * never pays for hashing its rows by key.
 */
export class IdentityMap {
  readonly #rows = new Map<MapKey, RowState>();
  #unfiled: RowState[][] = [];
  #unfiledCount = 0;

  constructor(private readonly key: KeyMeta) {}

  /** The row of an id (as `KeyMeta.normalize` gives it). */
  get(id: unknown): RowState | undefined {
    return this.#filed().get(this.key.mapKeyOf(id));
  }

  /** The row with the key of these values (a database row, in column order). */
  getByValues(values: readonly unknown[]): RowState | undefined {
    return this.#filed().get(this.key.mapKeyOfRow(values));
  }

  hasValues(values: readonly unknown[]): boolean {
    return this.#filed().has(this.key.mapKeyOfRow(values));
  }

  set(row: RowState): void {
    this.#filed().set(this.key.mapKeyOfRow(row.values), row);
  }

  /** Adds rows whose keys are known not to be in the map (nor repeated within `rows`). */
  addAbsent(rows: RowState[]): void {
    this.#unfiled.push(rows);
    this.#unfiledCount += rows.length;
  }

  delete(row: RowState): boolean {
    return this.#filed().delete(this.key.mapKeyOfRow(row.values));
  }

  get size(): number {
    return this.#rows.size + this.#unfiledCount;
  }

  values(): IterableIterator<RowState> {
    return this.#filed().values();
  }

  /** The map, with every unfiled batch filed into it first. */
  #filed(): Map<MapKey, RowState> {
    const rows = this.#rows;
    if (this.#unfiledCount === 0) return rows;
    const keyOf = this.key.mapKeyOfRow;
    for (const batch of this.#unfiled) {
      for (let i = 0; i < batch.length; i++) {
        const row = batch[i] as RowState;
        rows.set(keyOf(row.values), row);
      }
    }
    this.#unfiled = [];
    this.#unfiledCount = 0;
    return rows;
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

function addTo(entry: EntityRows, row: RowState): void {
  entry.rows.set(row);
  entry.changes++;
  const { indexes } = entry;
  for (let i = 0; i < indexes.length; i++) (indexes[i] as CacheIndex).add(row);
}
