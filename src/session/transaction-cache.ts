import type { EntityMeta } from '../schema/entity-meta.js';
import { CacheIndex } from './cache-index.js';
import { bigintKey, type IndexKey } from './index-key.js';
import type { RowState } from './row-state.js';

/**
 * The rows of one entity by id. Ids within ±2^53 are stored under their `number` value: small
 * integer keys hash and compare faster than bigint ones, and leave the garbage collector fewer
 * pointers to follow in a table of 100,000 rows. Larger ids keep their bigint key.
 *
 * Batches of rows known to be absent (a `batchIn` or `loadMany` of ids nobody cached) are kept as
 * arrays and filed into the map at the first lookup: a document walked through its collections only
 * never pays for hashing its rows by id.
 */
export class IdentityMap {
  readonly #rows = new Map<number | bigint, RowState>();
  #unfiled: RowState[][] = [];
  #unfiledCount = 0;

  get(id: bigint): RowState | undefined {
    return this.#filed().get(bigintKey(id));
  }

  has(id: bigint): boolean {
    return this.#filed().has(bigintKey(id));
  }

  set(id: bigint, row: RowState): void {
    this.#filed().set(bigintKey(id), row);
  }

  /** Adds rows whose ids are known not to be in the map (nor repeated within `rows`). */
  addAbsent(rows: RowState[]): void {
    this.#unfiled.push(rows);
    this.#unfiledCount += rows.length;
  }

  delete(id: bigint): boolean {
    return this.#filed().delete(bigintKey(id));
  }

  get size(): number {
    return this.#rows.size + this.#unfiledCount;
  }

  values(): IterableIterator<RowState> {
    return this.#filed().values();
  }

  /** The map, with every unfiled batch filed into it first. */
  #filed(): Map<number | bigint, RowState> {
    const rows = this.#rows;
    if (this.#unfiledCount === 0) return rows;
    for (const batch of this.#unfiled) {
      for (let i = 0; i < batch.length; i++) {
        const row = batch[i] as RowState;
        rows.set(bigintKey(row.values[row.meta.idIndex] as bigint), row);
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
  get(meta: EntityMeta, id: bigint): RowState | undefined {
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

  add(row: RowState): void {
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
    const entry = this.#entities.get(row.meta);
    if (!entry?.rows.delete(row.id)) return;
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
      entry = { rows: new IdentityMap(), changes: 0, indexes: [] };
      this.#entities.set(meta, entry);
    }
    return entry;
  }
}

function addTo(entry: EntityRows, row: RowState): void {
  entry.rows.set(row.values[row.meta.idIndex] as bigint, row);
  entry.changes++;
  const { indexes } = entry;
  for (let i = 0; i < indexes.length; i++) (indexes[i] as CacheIndex).add(row);
}
