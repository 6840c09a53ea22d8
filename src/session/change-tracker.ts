import type { EntityMeta } from '../schema/entity-meta.js';
import { type RowState, RowStatus } from './row-state.js';

/**
 * The rows with unflushed changes, per entity, so a flush never scans the whole cache. Callers track
 * a row once, when it first becomes pending (inserted, first changed, or deleted while clean), so an
 * array push suffices. What a tracked row needs written is read from its own state when the flush plans.
 */
export class ChangeTracker {
  readonly #pending = new Map<EntityMeta, RowState[]>();
  /**
   * Pending increments (`rop.increment`) of loaded rows: per row, column index → the delta summed so
   * far, written as `SET f = f + delta`. A side table, not a slot on every row: few rows have one.
   */
  readonly increments = new Map<RowState, Map<number, unknown>>();

  /** Registers a row that became new, dirty or deleted. */
  track(row: RowState): void {
    const rows = this.#pending.get(row.meta);
    if (rows) rows.push(row);
    else this.#pending.set(row.meta, [row]);
  }

  /** The entities with a tracked row marked deleted. */
  *deletedEntities(): Iterable<EntityMeta> {
    for (const [meta, rows] of this.#pending) if (rows.some((r) => r.status === RowStatus.Deleted)) yield meta;
  }

  /** Tracked rows of an entity (rows that became Gone are skipped by the planner). */
  rowsOf(meta: EntityMeta): readonly RowState[] {
    return this.#pending.get(meta) ?? [];
  }

  /** Forgets every row (after a flush wrote them, or when the cache is cleared). */
  clear(): void {
    this.#pending.clear();
    this.increments.clear();
  }
}
