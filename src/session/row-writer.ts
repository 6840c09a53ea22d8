import { DetachedError } from '../errors/detached-error.js';
import { UsageError } from '../errors/usage-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import type { CellCounter } from './cell-counter.js';
import { ChangeTracker } from './change-tracker.js';
import { isDirty, withDirtyColumn, withoutDirtyColumn } from './dirty-columns.js';
import { encodeParam } from '../sql/param-encoding.js';
import { OptimisticLockError } from '../errors/optimistic-lock-error.js';
import { statementsFor } from './entity-statements.js';
import type { IdAllocator } from './id-allocator.js';
import { NO_COLUMNS } from './new-row-values.js';
import { RowInserter } from './row-inserter.js';
import type { RowFactory } from './row-materializer.js';
import { type RowOwner, RowScope, type RowState, RowStatus } from './row-state.js';
import type { TransactionCache } from './transaction-cache.js';
import type { TransactionControl } from './transaction-control.js';

/**
 * The changes of a session: new rows (validated, defaulted, given ids), changed values, deleted rows,
 * tracked for the next flush; and the cache epoch rows belong to (the owner a rop asks). A delete
 * marks its rows at once, like `set()`; the rows of cascading collections are found at flush
 * (see `Flush`), so `delete()` needs no statement.
 */
export class RowWriter implements RowOwner {
  #scope = new RowScope(this);
  readonly tracker = new ChangeTracker();
  /** Rows deleted since the last flush whose entity has cascading child collections. */
  #cascadeRoots: RowState[] = [];
  /** Whether a delete since the last flush took rows the session held with it (see {@link cascadeHeld}). */
  #cascadeHeld = false;
  readonly #inserter: RowInserter;

  constructor(
    private readonly registry: EntityRegistry,
    private readonly cache: TransactionCache,
    private readonly cells: CellCounter,
    private readonly tx: TransactionControl,
    createRow: RowFactory,
    ids: IdAllocator,
  ) {
    this.#inserter = new RowInserter(this, cache, this.tracker, cells, ids, createRow, (fn) => tx.run(fn));
  }

  /** {@link RowOwner.scope}: replaced whenever the cache is cleared (a commit, rollback or `flush(true)`). */
  get scope(): RowScope {
    return this.#scope;
  }

  /** {@link RowOwner.assertUsable}. */
  assertUsable(): void {
    this.tx.assertUsable();
  }

  /** Throws `DETACHED` for a row of an earlier cache epoch. */
  assertAttached(row: RowState): void {
    if (row.scope !== this.#scope) throw new DetachedError(row.meta.name, row.id);
  }

  /** Builds a new row from user values (validated, defaults applied), gives it an id and caches it. */
  insert(meta: EntityMeta, input: Readonly<Record<string, unknown>>, parentColumns: readonly number[] = NO_COLUMNS, parentKey: readonly unknown[] = NO_COLUMNS): Promise<RowState> {
    try {
      this.tx.assertUsable();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#inserter.insert(meta, input, parentColumns, parentKey);
  }

  /** {@link RowOwner.setValue}: validates, stores, and marks the column dirty. */
  setValue(row: RowState, columnIndex: number, value: unknown): void {
    const column = this.#writable(row, columnIndex);
    const normalized = column.normalize(value);
    // A value set outright replaces a pending increment of the column: the flush writes it as it is.
    if (this.tracker.increments.size > 0) this.tracker.increments.get(row)?.delete(columnIndex);
    const old = row.values[columnIndex];
    if (old === normalized || (old instanceof Date && normalized instanceof Date && old.getTime() === normalized.getTime())) return;
    this.#store(row, columnIndex, normalized, old);
  }

  /**
   * {@link RowOwner.incrementValue}: the rop reads old + delta at once; a loaded row's flush writes
   * `SET f = f + delta` (the database's value then read back), so concurrent increments never lose
   * one. On a row inserted in the session, or a column already set outright, it is a plain change.
   */
  incrementValue(row: RowState, columnIndex: number, delta: unknown): void {
    const column = this.#writable(row, columnIndex);
    const add = column.type.add;
    if (add === undefined) throw ValidationError.badValue(row.meta.name, column.field, `is a ${column.type.kind} column; increment takes int, int2, bigint, decimal, float4 and float8 fields`);
    if (delta === null || delta === undefined) throw ValidationError.badValue(row.meta.name, column.field, 'increment needs a delta, got ' + String(delta));
    const step = column.normalize(delta);
    const old = row.values[columnIndex];
    if (old === null || old === undefined) throw ValidationError.badValue(row.meta.name, column.field, 'is null, and null + delta is null; set a value first');
    const sum = column.normalize(add(old, step)); // range and precision checked before anything changes
    const pending = this.tracker.increments.get(row);
    const absolute = row.status === RowStatus.New || (row.dirty !== null && isDirty(row.dirty, columnIndex) && !pending?.has(columnIndex));
    if (!absolute) {
      const total = foldedDelta(column, pending, step);
      if (pending) pending.set(columnIndex, total);
      else this.tracker.increments.set(row, new Map([[columnIndex, total]]));
    }
    if (sum !== old) this.#store(row, columnIndex, sum, old);
    else if (!absolute && row.status === RowStatus.Loaded) this.#markDirty(row, columnIndex); // + 0 still reads the database's value back
  }

  /**
   * `incrementAndGet`: the increment written now, in one statement (`UPDATE … SET f = f + $d …
   * RETURNING f`), with any pending increment of the column folded in; the row then holds and the call
   * returns the database's new value. A row inserted in this session only changes in memory.
   */
  async incrementNow(row: RowState, columnIndex: number, delta: unknown): Promise<unknown> {
    if (row.status === RowStatus.New) {
      this.incrementValue(row, columnIndex, delta);
      return row.values[columnIndex];
    }
    const column = this.#writable(row, columnIndex);
    const add = column.type.add;
    if (add === undefined || delta === null || delta === undefined) {
      this.incrementValue(row, columnIndex, delta); // throws the same VALIDATION as increment()
      return row.values[columnIndex];
    }
    const pending = this.tracker.increments.get(row);
    if (row.dirty !== null && isDirty(row.dirty, columnIndex) && !pending?.has(columnIndex)) {
      throw new UsageError(`${row.meta.name}.${column.field} has an unflushed set(); flush before incrementAndGet, or use increment()`);
    }
    const step = column.normalize(delta);
    const total = foldedDelta(column, pending, step);
    column.normalize(add(row.values[columnIndex], step)); // the sum must fit the column before anything is sent
    const meta = row.meta;
    const params = [...meta.key.columns.map((c) => encodeParam(row.values[c.index])), encodeParam(total)];
    if (meta.versionIndex >= 0) params.push(row.values[meta.versionIndex]);
    const context = { entity: meta.name, table: meta.table, operation: 'UPDATE', ids: () => [row.id] };
    const result = await this.tx.run((c) => c.queryArrays(statementsFor(meta).incrementNow([columnIndex]), params, context));
    const returned = result.rows[0];
    if (returned === undefined) throw new OptimisticLockError(meta.name, [row.id]);
    this.tx.writes.wrote(meta.table);
    if (meta.cache) this.tx.writes.changedRows(meta.table, [meta.key.cacheKeyOfRow(row.values)]);
    if (meta.versionIndex >= 0) row.values[meta.versionIndex] = (row.values[meta.versionIndex] as number) + 1;
    if (pending) {
      pending.delete(columnIndex);
      if (pending.size === 0) this.tracker.increments.delete(row);
    }
    // The column is written now: it is no longer pending (other changes of the row still are).
    if (row.dirty !== null) row.dirty = withoutDirtyColumn(row.dirty, columnIndex);
    this.storeReturned(row, columnIndex, column.type.fromDriver(returned[0], column.spec));
    return row.values[columnIndex];
  }

  /** The column, once the row may change there (`VALIDATION` / `USAGE` / `DETACHED` otherwise). */
  #writable(row: RowState, columnIndex: number): ColumnMeta {
    this.tx.assertUsable();
    this.assertAttached(row);
    const column = row.meta.columns[columnIndex] as ColumnMeta;
    if (row.status === RowStatus.Deleted || row.status === RowStatus.Gone) throw UsageError.deletedRow(row.meta.name, row.id, 'changed');
    if (column.type.generated) throw ValidationError.badValue(row.meta.name, column.field, 'is generated by cellar and cannot be set');
    if (row.status !== RowStatus.New && row.meta.key.keyless) throw UsageError.keyless(row.meta.name, 'changed once written');
    if (row.meta.key.covers(columnIndex)) throw ValidationError.badValue(row.meta.name, column.field, 'is part of the primary key, which cannot change; insert a new row and delete this one');
    return column;
  }

  #store(row: RowState, columnIndex: number, value: unknown, old: unknown): void {
    row.values[columnIndex] = value;
    this.cache.valueChanged(row, columnIndex, old);
    if (row.status === RowStatus.Loaded) this.#markDirty(row, columnIndex);
  }

  #markDirty(row: RowState, columnIndex: number): void {
    // A clean row becomes pending here, once: it is tracked at its first change only.
    if (row.dirty === null) this.tracker.track(row);
    row.dirty = withDirtyColumn(row.dirty, columnIndex, row.meta.columns.length);
  }

  /** A value the database returned for a written row (an incremented column read back): stored as clean. */
  storeReturned(row: RowState, columnIndex: number, value: unknown): void {
    const old = row.values[columnIndex];
    if (old === value) return;
    row.values[columnIndex] = value;
    this.cache.valueChanged(row, columnIndex, old);
  }

  /**
   * Marks rows deleted now; an unflushed insert simply disappears. Rows whose entity has cascading
   * collections are remembered: the flush deletes their children (and theirs) first.
   */
  markDeleted(rows: Iterable<RowState>, cascade: boolean): void {
    this.tx.assertUsable();
    for (const row of rows) {
      if (cascade && this.registry.childrenOf(row.meta).some((r) => r.onDelete === 'cascade')) this.#cascadeRoots.push(row);
      if (row.status !== RowStatus.New && row.meta.key.keyless) throw UsageError.keyless(row.meta.name, 'deleted once written');
      if (row.status === RowStatus.New) {
        row.status = RowStatus.Gone;
        this.cache.remove(row);
        this.cells.release(row.meta.columns.length);
      } else if (row.status === RowStatus.Loaded) {
        if (row.dirty === null) this.tracker.track(row); // a dirty row is tracked already
        row.status = RowStatus.Deleted;
      }
    }
  }

  /**
   * Marks deleted the rows the session holds under cascading collections of rows just deleted: the
   * flush must then read the children (held rows told apart from the rest) instead of deleting them
   * by their parents' keys.
   */
  markHeldDescendantsDeleted(rows: readonly RowState[]): void {
    if (rows.length === 0) return;
    this.markDeleted(rows, false);
    this.#cascadeHeld = true;
  }

  /**
   * The cascade roots deleted since the last call (the flush resolves them), and whether those deletes
   * also took rows held in the session (then the flush reads the children: held rows must be told
   * apart from the rest).
   */
  takeCascadeRoots(): { roots: RowState[]; held: boolean } {
    const taken = { roots: this.#cascadeRoots, held: this.#cascadeHeld };
    this.#cascadeRoots = [];
    this.#cascadeHeld = false;
    return taken;
  }

  /** After a flush wrote a row: a deleted row is gone for good; a written one is clean (its version bumped). */
  flushed(row: RowState, kind: 'insert' | 'update' | 'delete'): void {
    if (kind === 'delete') {
      row.status = RowStatus.Gone;
      this.cache.remove(row);
      this.cells.release(row.meta.columns.length);
      return;
    }
    const versionIndex = row.meta.versionIndex;
    if (kind === 'update' && versionIndex >= 0) row.values[versionIndex] = (row.values[versionIndex] as number) + 1;
    row.status = RowStatus.Loaded;
    row.dirty = null;
  }

  /** Starts a new cache epoch: every rop of the old one is detached, the cache and counters emptied. */
  clear(): void {
    this.#scope.detached = true;
    this.#scope = new RowScope(this);
    this.cache.clear();
    this.tracker.clear();
    this.#cascadeRoots = [];
    this.#cascadeHeld = false;
    this.cells.reset();
  }
}

/** The delta pending for `column` with `step` added (`step` alone when none is pending). */
function foldedDelta(column: ColumnMeta, pending: ReadonlyMap<number, unknown> | undefined, step: unknown): unknown {
  const before = pending?.get(column.index);
  return before === undefined ? step : column.normalize((column.type.add as NonNullable<ColumnMeta['type']['add']>)(before, step));
}
