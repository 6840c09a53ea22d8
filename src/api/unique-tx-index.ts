import type { AnyEntity } from '../schema/entity.js';
import type { Rop } from './rop.js';
import type { LockOptions } from '../session/row-lock.js';
import type { IndexKeyInput, TxIndex } from './tx-index.js';

/**
 * A unique transactional index (`indexes: { byNumber: { columns: ['docNumber'], unique: true } }`):
 * the same cache and statements as {@link TxIndex}, one row or undefined per key.
 *
 * @example
 * ```ts
 * const doc = await s.api(Doc).index('byNumber').byKey('A-1');   // Rop<typeof Doc> | undefined
 * ```
 */
export class UniqueTxIndex<E extends AnyEntity> {
  /** @internal Get indexes with `api.index(name)`. */
  constructor(private readonly index: TxIndex<E>) {}

  /** The row with this key, or undefined: read once per key, then served from the cache (with `{ lock }`: read and locked). */
  async byKey(key: IndexKeyInput, options?: LockOptions): Promise<Rop<E> | undefined> {
    return (await this.index.byKey(key, options))[0];
  }

  /** The row with this key, always read (one statement) and merged with the session's changes. */
  async refreshByKey(key: IndexKeyInput): Promise<Rop<E> | undefined> {
    return (await this.index.refreshByKey(key))[0];
  }

  /** Loads every key not loaded yet in one statement; afterwards `byKey` on any of them issues none. */
  queryKeys(keys: Iterable<IndexKeyInput>): Promise<void> {
    return this.index.queryKeys(keys);
  }
}
