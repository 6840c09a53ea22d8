import type { EntityMeta } from '../schema/entity-meta.js';
import type { RowState } from './row-state.js';

/**
 * The identity map: one row object per (entity, id) for the life of a cache epoch. Rows deleted in
 * the session stay in it (as Deleted) so that later reads keep them out, until the flush removes them.
 */
export class TransactionCache {
  readonly #maps = new Map<EntityMeta, Map<bigint, RowState>>();

  /** The cached row, or undefined. */
  get(meta: EntityMeta, id: bigint): RowState | undefined {
    return this.#maps.get(meta)?.get(id);
  }

  /** All cached rows of an entity (any status), keyed by id. */
  rowsOf(meta: EntityMeta): ReadonlyMap<bigint, RowState> {
    return this.#mapOf(meta);
  }

  add(row: RowState): void {
    this.#mapOf(row.meta).set(row.values[row.meta.idIndex] as bigint, row);
  }

  remove(row: RowState): void {
    this.#maps.get(row.meta)?.delete(row.id);
  }

  /** Number of rows held, over all entities. */
  get size(): number {
    let n = 0;
    for (const map of this.#maps.values()) n += map.size;
    return n;
  }

  clear(): void {
    this.#maps.clear();
  }

  #mapOf(meta: EntityMeta): Map<bigint, RowState> {
    let map = this.#maps.get(meta);
    if (!map) {
      map = new Map();
      this.#maps.set(meta, map);
    }
    return map;
  }
}
