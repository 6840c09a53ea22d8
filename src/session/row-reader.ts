import type { EntityRowCache } from '../cache/entity-row-cache.js';
import type { EntityMeta } from '../schema/entity-meta.js';
import type { CacheIndex } from './cache-index.js';
import { keyArraysOfIds } from './column-arrays.js';
import { encodeParam } from '../sql/param-encoding.js';
import { statementsFor } from './entity-statements.js';
import type { MergeMode, RowMaterializer } from './row-materializer.js';
import { lockClause, type LockOptions } from './row-lock.js';
import { isLive, type RowState } from './row-state.js';
import type { SessionCounters } from './session-stats.js';
import type { IdentityMap, TransactionCache } from './transaction-cache.js';
import type { TransactionControl } from './transaction-control.js';

/**
 * Reading rows into the transaction cache: by id (the transaction cache, then — for an entity
 * declared `cache` — the shared row cache, then one `= ANY` statement, the one place this read-through
 * and its tickets are written), by a WHERE clause, or from rows read elsewhere; merged through the
 * identity map by the materializer.
 */
export class RowReader {
  constructor(
    private readonly cache: TransactionCache,
    private readonly materializer: RowMaterializer,
    private readonly tx: TransactionControl,
    private readonly counters: SessionCounters,
  ) {}

  /** The cached row, unless it is deleted in this session. */
  cached(meta: EntityMeta, id: unknown): RowState | undefined {
    const row = this.cache.get(meta, id);
    return row && isLive(row) ? row : undefined;
  }

  /** All cached rows of an entity, including deleted ones (check `status`). */
  identity(meta: EntityMeta): IdentityMap {
    return this.cache.rowsOf(meta);
  }

  /** The cache index of an entity over these columns (built on first use). */
  index(meta: EntityMeta, columns: readonly number[]): CacheIndex {
    return this.cache.indexFor(meta, columns);
  }

  /** Counts reads answered from the cache (see `SessionStats.cacheHits`). */
  countHits(n = 1): void {
    this.counters.cacheHits += n;
  }

  /**
   * A row by id without a statement: the transaction cache's (undefined for one deleted in this
   * session), else the shared row cache's, entering the transaction cache. Undefined when neither has it.
   */
  cachedHit(meta: EntityMeta, id: unknown): RowState | undefined {
    const row = this.cache.rowsOf(meta).get(id);
    if (row !== undefined) {
      if (!isLive(row)) return undefined;
      this.counters.cacheHits++;
      return row;
    }
    const values = meta.cache ? this.#rowCache(meta)?.get(meta.key.mapKeyOf(id)) : undefined;
    if (!values) return undefined;
    this.counters.cacheHits++;
    this.tx.assertUsable();
    return this.materializer.one(meta, values);
  }

  /**
   * Rows by id that the transaction cache lacks (the caller has just checked): from the shared row
   * cache of a cached entity when there (no statement), the rest with one `= ANY` statement — whose
   * committed rows then enter the shared cache, unless a commit invalidated them while the read ran.
   */
  async byIds(meta: EntityMeta, ids: readonly unknown[]): Promise<RowState[]> {
    const statements = statementsFor(meta);
    const byIds = statements.whereIdIn;
    const rowCache = this.#rowCache(meta);
    if (!rowCache) {
      if (ids.length === 1) return this.where(meta, statements.whereOneId, oneIdParams(meta, ids[0]), 'keep', this.cache.changesOf(meta));
      return this.where(meta, byIds, keyArraysOfIds(meta, ids), 'keep', this.cache.changesOf(meta));
    }
    const hits: unknown[][] = [];
    const rest: unknown[] = [];
    for (const id of ids) {
      const cached = rowCache.get(meta.key.mapKeyOf(id));
      if (cached) hits.push(cached);
      else rest.push(id);
    }
    const fromCache = hits.length > 0 ? this.materialize(meta, hits) : [];
    this.countHits(hits.length);
    if (rest.length === 0) return fromCache;
    const rows = await this.readThrough(meta, rowCache, byIds, keyArraysOfIds(meta, rest));
    return [...fromCache, ...this.materialize(meta, rows)];
  }

  /**
   * Rows by id, locked (`FOR UPDATE` …): always read from the database — never from a cache, whose
   * copy may predate the lock — and merged like a refresh (clean cached rows take the locked values,
   * rows changed in the session keep theirs). Locks are taken in key order, so sessions locking
   * overlapping sets queue instead of deadlocking. Returns the rows in key order.
   */
  lockedByIds(meta: EntityMeta, ids: readonly unknown[], lock: LockOptions): Promise<RowState[]> {
    const statements = statementsFor(meta);
    const clause = lockClause(meta.name, lock);
    if (ids.length === 1) return this.where(meta, statements.whereOneId + clause, oneIdParams(meta, ids[0]), 'refresh');
    return this.where(meta, `${statements.whereIdIn} ORDER BY ${statements.keyOrder}${clause}`, keyArraysOfIds(meta, ids), 'refresh');
  }

  /**
   * Reads rows and offers them to a shared row cache under a ticket taken before the read: rows an
   * invalidation overtook while the read ran are not stored (they may be older than that commit).
   */
  async readThrough(meta: EntityMeta, rowCache: EntityRowCache, where: string, values: readonly unknown[]): Promise<unknown[][]> {
    const ticket = rowCache.beginRead();
    let rows: unknown[][];
    try {
      rows = await this.query(meta, where, values);
    } catch (e) {
      rowCache.endRead();
      throw e;
    }
    rowCache.put(ticket, rows, meta.key.mapKeyOfRow);
    return rows;
  }

  /**
   * Loads rows by a WHERE clause over alias `t` (one statement) and merges them into the cache.
   * `absentSince`: see `RowMaterializer.materialize`; pass {@link changesOf} taken when the caller
   * established that none of the rows it asks for is cached.
   */
  async where(meta: EntityMeta, where: string, values: readonly unknown[], mode: MergeMode = 'keep', absentSince?: number): Promise<RowState[]> {
    return this.materialize(meta, await this.query(meta, where, values), mode, absentSince);
  }

  /** The rows of a WHERE clause as arrays in column order, not yet cached. */
  async query(meta: EntityMeta, where: string, values: readonly unknown[]): Promise<unknown[][]> {
    const sql = statementsFor(meta).selectWhere(where);
    return (await this.tx.run((c) => c.queryArrays(sql, values))).rows;
  }

  /** Merges rows read elsewhere (in column order) into the cache. */
  materialize(meta: EntityMeta, rows: readonly unknown[][], mode: MergeMode = 'keep', absentSince?: number): RowState[] {
    this.tx.assertUsable();
    return this.materializer.materialize(meta, rows, mode, absentSince);
  }

  /** {@link materialize} with the result aligned to `rows` (undefined where a row was deleted in the session). */
  materializeAligned(meta: EntityMeta, rows: readonly unknown[][]): (RowState | undefined)[] {
    this.tx.assertUsable();
    return this.materializer.materializeAligned(meta, rows, 'keep');
  }

  /** The cache's change counter for an entity (see {@link where}). */
  changesOf(meta: EntityMeta): number {
    return this.cache.changesOf(meta);
  }

  /** The shared row cache of a cached entity, when this session may use it. */
  #rowCache(meta: EntityMeta): EntityRowCache | undefined {
    return meta.cache ? this.tx.sharedCacheFor(meta.table)?.rowsOf(meta.table, meta.cache) : undefined;
  }

  /** The shared row cache of a cached entity for {@link readThrough}, when this session may use it. */
  rowCacheOf(meta: EntityMeta): EntityRowCache | undefined {
    return this.#rowCache(meta);
  }
}

/** The parameters of {@link EntityStatements.whereOneId}: one per key column. */
function oneIdParams(meta: EntityMeta, id: unknown): unknown[] {
  return meta.key.index >= 0 ? [encodeParam(id)] : (id as readonly unknown[]).map(encodeParam);
}
