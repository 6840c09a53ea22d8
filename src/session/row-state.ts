import type { EntityMeta } from '../schema/entity-meta.js';

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

/** What a row needs from the session that holds it. */
export interface RowOwner {
  /** Incremented whenever the cache is cleared; rows of an older epoch are detached. */
  readonly epoch: number;
  /** Validates, stores and tracks a change of one column. */
  setValue(row: RowState, columnIndex: number, value: unknown): void;
  /** Throws unless the session accepts calls (not aborted, not closed). */
  assertUsable(): void;
}

/**
 * A row object in the transaction cache: values in column order plus change-tracking state. The
 * public handle `Rop` (src/api) extends it, so each cached row is a single object.
 */
export class RowState {
  readonly owner: RowOwner;
  readonly meta: EntityMeta;
  /** Current values, in `meta.columns` order. */
  values: unknown[];
  status: RowStatus;
  /** Changed columns of a loaded row (null while clean). */
  dirty: boolean[] | null = null;
  /** The cache epoch the row was created in; see {@link RowOwner.epoch}. */
  readonly epoch: number;

  constructor(owner: RowOwner, meta: EntityMeta, values: unknown[], status: RowStatus) {
    this.owner = owner;
    this.meta = meta;
    this.values = values;
    this.status = status;
    this.epoch = owner.epoch;
  }

  /** The primary key. */
  get id(): bigint {
    return this.values[this.meta.idIndex] as bigint;
  }

  /** True while the row belongs to the session's current cache. */
  get attached(): boolean {
    return this.epoch === this.owner.epoch;
  }
}
