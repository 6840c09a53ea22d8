import type { ColumnMeta } from '../schema/entity-meta.js';
import { chunk } from '../sql/chunks.js';
import { arrayLiteral, encodeParam } from '../sql/param-encoding.js';
import type { CacheIndex } from './cache-index.js';
import { statementsFor } from './entity-statements.js';
import type { IndexKey } from './index-key.js';
import { type RowState, RowStatus } from './row-state.js';
import type { UnitOfWork } from './unit-of-work.js';

/** Keys sent per `queryKeys` statement: far below any driver or server limit, one array per column. */
const KEYS_PER_STATEMENT = 50_000;

/**
 * Reads rows by index key (a collection's parent id, or a transactional index key) and records the
 * key as loaded, following DESIGN rules 1–3:
 * - `rowsByKey` reads a key once; later calls are served from the cache index (no statement);
 * - with `refresh`, it always reads, and merges: changed rows keep the session's values, deleted ones
 *   stay out, new ones are included, rows new in the database appear;
 * - `loadKeys` reads every key not loaded yet in one statement, keys with no rows included.
 */
export class KeyedLoader {
  constructor(private readonly uow: UnitOfWork) {}

  async rowsByKey(index: CacheIndex, keyValues: readonly unknown[], refresh: boolean): Promise<RowState[]> {
    const key = index.keyOf(keyValues);
    const cached = refresh ? undefined : index.liveIfLoaded(key);
    if (cached) {
      this.uow.countCacheHits();
      return cached;
    }
    const where = statementsFor(index.meta).whereKey(index.columns.map((c) => this.#column(index, c)));
    const fromDb = await this.uow.loadWhere(index.meta, where, keyValues.map(encodeParam), refresh ? 'refresh' : 'keep');
    index.markLoaded(key);
    const live = index.live(key);
    if (!refresh) return live;
    // A clean row the database no longer files under this key was moved or deleted by someone else.
    const returned = new Set(fromDb);
    return live.filter((row) => returned.has(row) || row.status === RowStatus.New || row.dirty !== null);
  }

  /** Marks a key loaded without reading it (a parent inserted in this session has no rows in the database). */
  markLoaded(index: CacheIndex, keyValues: readonly unknown[]): void {
    index.markLoaded(index.keyOf(keyValues));
  }

  /** Loads every key not loaded yet: one statement per 50,000 keys; afterwards each is served from the cache. */
  async loadKeys(index: CacheIndex, keys: readonly (readonly unknown[])[]): Promise<void> {
    const pending = new Map<IndexKey, readonly unknown[]>();
    for (const values of keys) {
      const key = index.keyOf(values);
      if (!index.isLoaded(key)) pending.set(key, values);
    }
    const columns = index.columns.map((c) => this.#column(index, c));
    const where = statementsFor(index.meta).whereKeysIn(columns);
    for (const part of chunk([...pending], KEYS_PER_STATEMENT)) {
      const arrays = columns.map((_, i) => arrayLiteral(part.map(([, values]) => values[i])));
      await this.uow.loadWhere(index.meta, where, arrays);
      for (const [key] of part) index.markLoaded(key);
    }
  }

  #column(index: CacheIndex, columnIndex: number): ColumnMeta {
    return index.meta.columns[columnIndex] as ColumnMeta;
  }
}
