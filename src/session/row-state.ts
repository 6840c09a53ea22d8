import type { EntityMeta } from '../schema/entity-meta.js';
import type { DirtyColumns } from './dirty-columns.js';

/** Lifecycle of a row in the transaction cache. */
export const RowStatus = {
  /** Read from the database; possibly dirty. */
  Loaded: 0,
  /** Inserted in this session, not yet flushed. */
  New: 1,
  /** Deleted in this session, not yet flushed. */
  Deleted: 2,
  /** Deleted and flushed, or inserted and deleted before any flush: gone for good. */
  Gone: 3,
} as const;

/** One of {@link RowStatus}. */
export type RowStatus = (typeof RowStatus)[keyof typeof RowStatus];

/** Whether a row is visible to reads: loaded or inserted in the session, not deleted. */
export function isLive(row: { readonly status: RowStatus }): boolean {
  return row.status === RowStatus.Loaded || row.status === RowStatus.New;
}

/** What a row needs from the session that holds it. */
export interface RowOwner {
  /** The scope rows created now belong to; replaced (and the old one detached) when the cache is cleared. */
  readonly scope: RowScope;
  /** Validates, stores and tracks a change of one column. */
  setValue(row: RowState, columnIndex: number, value: unknown): void;
  /** Validates and tracks an increment of a number column (`SET f = f + delta` at flush). */
  incrementValue(row: RowState, columnIndex: number, delta: unknown): void;
  /** Throws unless the session accepts calls (not aborted, not closed). */
  assertUsable(): void;
}

/**
 * One cache epoch of a session: the rows created in it point here, so that clearing the cache
 * detaches them all with one write. One shared pointer per row instead of owner + epoch number.
 */
export class RowScope {
  /** Set when the session's cache is cleared: rows of this scope are detached. */
  detached = false;

  constructor(readonly owner: RowOwner) {}
}

/**
 * A row object in the transaction cache: values in column order plus change-tracking state. The
 * public handle `Rop` (src/api) extends it, so each cached row is a single object.
 */
export class RowState {
  /** The session and cache epoch the row belongs to. */
  readonly scope: RowScope;
  readonly meta: EntityMeta;
  /** Current values, in `meta.columns` order. */
  values: unknown[];
  status: RowStatus;
  /** Changed columns of a loaded row (null while clean). */
  dirty: DirtyColumns | null = null;

  constructor(scope: RowScope, meta: EntityMeta, values: unknown[], status: RowStatus) {
    this.scope = scope;
    this.meta = meta;
    this.values = values;
    this.status = status;
  }

  /** The primary key: the key column's value, or a frozen tuple of a composite key (a new one per call). */
  get id(): unknown {
    const at = this.meta.idIndex;
    return at >= 0 ? this.values[at] : this.meta.key.idOfRow(this.values);
  }

  /** The session holding the row. */
  get owner(): RowOwner {
    return this.scope.owner;
  }

  /** True while the row belongs to the session's current cache. */
  get attached(): boolean {
    return !this.scope.detached;
  }
}
