import type { Connection } from '../db/connection.js';
import type { EntityMeta } from '../schema/entity-meta.js';
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
   * `parentIndex`/`parentId` set the parent-ref column (for insertByParent) without copying `input`.
   * Not an async function: when the id pool has ids (almost always) no extra promise is chained.
   */
  insert(meta: EntityMeta, input: Readonly<Record<string, unknown>>, parentIndex: number, parentId: bigint | undefined): Promise<RowState> {
    try {
      const values = newRowValues(meta, input, parentIndex);
      if (parentIndex >= 0) values[parentIndex] = parentId;
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
    values[meta.idIndex] = id;
    const row = this.createRow(this.owner.scope, meta, values, RowStatus.New);
    this.cache.add(row);
    this.tracker.track(row);
    return row;
  }
}
