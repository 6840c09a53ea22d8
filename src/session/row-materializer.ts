import { UsageError } from '../errors/usage-error.js';
import type { EntityMeta } from '../schema/entity-meta.js';
import type { CellCounter } from './cell-counter.js';
import { isLive, type RowOwner, type RowScope, type RowState, RowStatus } from './row-state.js';
import type { SessionCounters } from './session-stats.js';
import type { TransactionCache } from './transaction-cache.js';

/** Creates the row object of a cached row; the api layer supplies one that builds `Rop`s. */
export type RowFactory = (scope: RowScope, meta: EntityMeta, values: unknown[], status: RowStatus) => RowState;

/** How database rows meet rows already in the cache. */
export type MergeMode =
  /** Cached rows win as they are (load, byParent). */
  | 'keep'
  /** Clean cached rows take the database values; changed rows keep the session's values (refresh*). */
  | 'refresh';

/**
 * Turns database rows (arrays in column order) into cached rows, through the identity map: a row
 * already cached is returned as it is (or refreshed when clean), a row deleted in the session is left
 * out, and the cell limit is checked for the new rows before any of them is created.
 */
export class RowMaterializer {
  constructor(
    private readonly owner: RowOwner,
    private readonly cache: TransactionCache,
    private readonly cells: CellCounter,
    private readonly counters: SessionCounters,
    private readonly createRow: RowFactory,
  ) {}

  /**
   * `absentSince`: the cache's change counter at the moment the caller saw none of these ids cached.
   * If nothing entered since, the per-row identity lookup is skipped (a `loadMany` of fresh ids).
   */
  materialize(meta: EntityMeta, dbRows: readonly unknown[][], mode: MergeMode, absentSince?: number): RowState[] {
    return this.#merge(meta, dbRows, mode, absentSince, false) as RowState[];
  }

  /**
   * Like {@link materialize}, but the result is aligned with `dbRows`: entry `i` is the row of
   * `dbRows[i]`, or undefined where that row was deleted in the session.
   */
  materializeAligned(meta: EntityMeta, dbRows: readonly unknown[][], mode: MergeMode, absentSince?: number): (RowState | undefined)[] {
    return this.#merge(meta, dbRows, mode, absentSince, true);
  }

  #merge(meta: EntityMeta, dbRows: readonly unknown[][], mode: MergeMode, absentSince: number | undefined, aligned: boolean): (RowState | undefined)[] {
    if (meta.key.keyless) throw UsageError.keyless(meta.name, 'read into the session');
    if (absentSince !== undefined && absentSince === this.cache.changesOf(meta)) return this.#materializeFresh(meta, dbRows);
    if (meta.numberColumns.length > 0) numbersInPlace(meta, dbRows);
    const cached = this.cache.rowsOf(meta);
    const width = meta.columns.length;
    // Reserve for the worst case (every row new) and give back what was cached: one map lookup per
    // row instead of two. Only when the worst case would not fit do we count exactly first.
    let reserved = dbRows.length * width;
    if (this.cells.cells + reserved > this.cells.limit) {
      let fresh = 0;
      for (const values of dbRows) if (!cached.hasValues(values)) fresh++;
      reserved = fresh * width;
    }
    this.cells.reserve(reserved);
    this.counters.rowsLoaded += dbRows.length;
    const out: (RowState | undefined)[] = [];
    const add = this.cache.adder(meta);
    const scope = this.owner.scope;
    let reused = 0;
    for (const values of dbRows) {
      const existing = cached.getByValues(values);
      if (existing === undefined) {
        const row = this.createRow(scope, meta, values, RowStatus.Loaded);
        add(row);
        out.push(row);
        continue;
      }
      reused++;
      if (isLive(existing)) {
        if (mode === 'refresh' && existing.status === RowStatus.Loaded && existing.dirty === null) this.cache.replaceValues(existing, values);
        out.push(existing);
      } else if (aligned) out.push(undefined);
    }
    if (reserved === dbRows.length * width) this.cells.release(reused * width);
    return out;
  }

  /** One row known not to be cached. */
  one(meta: EntityMeta, values: unknown[]): RowState {
    if (meta.key.keyless) throw UsageError.keyless(meta.name, 'read into the session');
    if (meta.numberColumns.length > 0) numbersInPlace(meta, [values]);
    this.cells.reserve(meta.columns.length);
    this.counters.rowsLoaded++;
    const row = this.createRow(this.owner.scope, meta, values, RowStatus.Loaded);
    this.cache.add(row);
    return row;
  }

  #materializeFresh(meta: EntityMeta, dbRows: readonly unknown[][]): RowState[] {
    if (meta.numberColumns.length > 0) numbersInPlace(meta, dbRows);
    this.cells.reserve(dbRows.length * meta.columns.length);
    this.counters.rowsLoaded += dbRows.length;
    const out = new Array<RowState>(dbRows.length);
    const scope = this.owner.scope;
    for (let i = 0; i < dbRows.length; i++) out[i] = this.createRow(scope, meta, dbRows[i] as unknown[], RowStatus.Loaded);
    // A copy: the caller may hand `out` to user code, which may sort or truncate it before the cache files it.
    this.cache.addAbsent(meta, out.slice());
    return out;
  }
}

/**
 * int8 columns of `mode: 'number'` as numbers: the driver reads every int8 as a bigint, and the
 * column's normalizer accepted only safe integers, so the conversion is exact (idempotent, too: a row
 * from the shared cache may have been converted already).
 */
function numbersInPlace(meta: EntityMeta, dbRows: readonly unknown[][]): void {
  const at = meta.numberColumns;
  for (const values of dbRows) {
    for (const i of at) {
      const v = values[i];
      if (typeof v === 'bigint') values[i] = Number(v);
    }
  }
}
