import type { EntityMeta } from '../schema/entity-meta.js';
import type { RowState } from './row-state.js';

interface EntityRows {
  readonly rows: Map<bigint, RowState>;
  /** Incremented by every add and remove: lets a loader know that nothing entered since it looked. */
  changes: number;
}

/**
 * The identity map: one row object per (entity, id) for the life of a cache epoch. Rows deleted in
 * the session stay in it (as Deleted) so that later reads keep them out, until the flush removes them.
 */
export class TransactionCache {
  readonly #entities = new Map<EntityMeta, EntityRows>();

  /** The cached row, or undefined. */
  get(meta: EntityMeta, id: bigint): RowState | undefined {
    return this.#entities.get(meta)?.rows.get(id);
  }

  /** All cached rows of an entity (any status), keyed by id. */
  rowsOf(meta: EntityMeta): ReadonlyMap<bigint, RowState> {
    return this.#of(meta).rows;
  }

  /** A counter that changes whenever a row of the entity is added or removed. */
  changesOf(meta: EntityMeta): number {
    return this.#entities.get(meta)?.changes ?? 0;
  }

  add(row: RowState): void {
    const entry = this.#of(row.meta);
    entry.rows.set(row.values[row.meta.idIndex] as bigint, row);
    entry.changes++;
  }

  remove(row: RowState): void {
    const entry = this.#entities.get(row.meta);
    if (entry?.rows.delete(row.id)) entry.changes++;
  }

  /** Number of rows held, over all entities. */
  get size(): number {
    let n = 0;
    for (const entry of this.#entities.values()) n += entry.rows.size;
    return n;
  }

  clear(): void {
    this.#entities.clear();
  }

  #of(meta: EntityMeta): EntityRows {
    let entry = this.#entities.get(meta);
    if (!entry) {
      entry = { rows: new Map(), changes: 0 };
      this.#entities.set(meta, entry);
    }
    return entry;
  }
}
