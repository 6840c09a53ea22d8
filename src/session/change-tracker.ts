import type { EntityMeta } from '../schema/entity-meta.js';
import { type RowState, RowStatus } from './row-state.js';

/**
 * The rows with unflushed changes, per entity, so a flush never scans the whole cache.
 * Membership is decided from the row's own state when the flush plans its writes.
 */
export class ChangeTracker {
  readonly #pending = new Map<EntityMeta, Set<RowState>>();

  /** Registers a row that became new, dirty or deleted. */
  track(row: RowState): void {
    let set = this.#pending.get(row.meta);
    if (!set) {
      set = new Set();
      this.#pending.set(row.meta, set);
    }
    set.add(row);
  }

  /** Forgets a row (an insert deleted before any flush). */
  untrack(row: RowState): void {
    this.#pending.get(row.meta)?.delete(row);
  }

  /** Tracked rows of an entity. */
  rowsOf(meta: EntityMeta): ReadonlySet<RowState> {
    return this.#pending.get(meta) ?? new Set();
  }

  /** Whether any row has unflushed changes. */
  get isEmpty(): boolean {
    for (const set of this.#pending.values()) {
      for (const row of set) if (row.status !== RowStatus.Gone && (row.status !== RowStatus.Loaded || row.dirty)) return false;
    }
    return true;
  }

  clear(): void {
    this.#pending.clear();
  }
}
