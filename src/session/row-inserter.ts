import type { Connection } from '../db/connection.js';
import { ValidationError } from '../errors/validation-error.js';
import { showKey } from '../errors/show-key.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import type { CellCounter } from './cell-counter.js';
import type { ChangeTracker } from './change-tracker.js';
import type { IdAllocator } from './id-allocator.js';
import { newRowValues } from './new-row-values.js';
import type { RowFactory } from './row-materializer.js';
import { type RowOwner, type RowState, RowStatus } from './row-state.js';
import type { TransactionCache } from './transaction-cache.js';

/**
 * Creates new rows: values validated and defaulted, cells reserved, an id from the pooled allocator
 * (a refill statement only when the pool is empty), the row cached and tracked for the next flush.
 */
export class RowInserter {
  constructor(
    private readonly owner: RowOwner,
    private readonly cache: TransactionCache,
    private readonly tracker: ChangeTracker,
    private readonly cells: CellCounter,
    private readonly ids: IdAllocator,
    private readonly createRow: RowFactory,
    private readonly run: <T>(fn: (connection: Connection) => Promise<T>) => Promise<T>,
  ) {}

  /**
   * `parentColumns`/`parentKey` set the parent-ref columns (for insertByParent) without copying `input`.
   * Not an async function: when the id pool has ids (almost always) no extra promise is chained.
   */
  insert(meta: EntityMeta, input: Readonly<Record<string, unknown>>, parentColumns: readonly number[], parentKey: readonly unknown[]): Promise<RowState> {
    try {
      const values = newRowValues(meta, input, parentColumns);
      for (let i = 0; i < parentColumns.length; i++) values[parentColumns[i] as number] = parentKey[i];
      if (meta.key.generated === undefined) {
        if (!meta.key.keyless) this.#assertNewKey(meta, values);
        this.cells.reserve(meta.columns.length);
        return Promise.resolve(this.#add(meta, values));
      }
      this.cells.reserve(meta.columns.length);
      const id = this.ids.take(meta);
      return id === undefined ? this.#insertAfterRefill(meta, values) : Promise.resolve(this.#addNew(meta, values, id));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #insertAfterRefill(meta: EntityMeta, values: unknown[]): Promise<RowState> {
    let id: bigint | undefined;
    try {
      while (id === undefined) {
        await this.run((c) => this.ids.refill(meta, c));
        id = this.ids.take(meta);
      }
    } catch (e) {
      this.cells.release(meta.columns.length);
      throw e;
    }
    return this.#addNew(meta, values, id);
  }

  #addNew(meta: EntityMeta, values: unknown[], id: bigint): RowState {
    values[meta.idIndex] = (meta.key.generated as ColumnMeta).spec.mode === 'number' ? Number(id) : id;
    return this.#add(meta, values, true);
  }

  /**
   * An assigned key must be new to the session: a second row under a key the session holds (even one
   * deleted and not yet flushed: inserts are written before deletes) could only fail at the flush.
   */
  #assertNewKey(meta: EntityMeta, values: unknown[]): void {
    const held = this.cache.rowsOf(meta).getByValues(values);
    if (held === undefined) return;
    const shown = meta.key.columns.map((c) => c.field).join(', ');
    const id = meta.key.idOfRow(values);
    throw new ValidationError(
      held.status === RowStatus.Deleted
        ? `${meta.name} ${showKey(id)} was deleted in this session and not yet flushed; flush before inserting a row with the same key (${shown})`
        : `${meta.name} ${showKey(id)} already exists in this session; a key (${shown}) can be inserted once`,
      meta.name,
    );
  }

  /** `freshId`: the key was just taken from the sequence, so nobody can hold it (filed lazily). */
  #add(meta: EntityMeta, values: unknown[], freshId = false): RowState {
    const row = this.createRow(this.owner.scope, meta, values, RowStatus.New);
    if (freshId) this.cache.addFresh(row);
    else this.cache.add(row);
    this.tracker.track(row);
    return row;
  }
}
