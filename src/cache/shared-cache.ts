import { LRUCache } from 'lru-cache';
import type { CacheEvent, CacheStats } from './cache-stats.js';
import { EntityRowCache } from './entity-row-cache.js';
import { RedisTier, type RedisTierOptions } from './redis-tier.js';
import { decodeValue } from './value-codec.js';
import { encodeValue } from './value-codec.js';

/** Options of {@link SharedCache}. */
export interface SharedCacheOptions {
  /** Most entries held (default 10,000). */
  readonly maxEntries?: number;
  /** Most bytes held, counted as the encoded size of the values (default 64 MiB). */
  readonly maxBytes?: number;
  /** Receives every cache event (hit, miss, set, eviction, invalidation, tier error); keep it cheap. */
  readonly onEvent?: (event: CacheEvent) => void;
  /** A Redis tier shared by every process, looked up after this process's memory. */
  readonly redis?: RedisTierOptions;
}

/** Options of {@link SharedCache.remember}. */
export interface RememberOptions {
  /** How long a value is fresh. */
  readonly ttlMs: number;
  /** Tags to invalidate the value by (for example the tables it was read from). */
  readonly tags?: readonly string[];
  /**
   * After `ttlMs`, serve the stale value for this much longer while one background call of the loader
   * refreshes it (refresh-ahead): callers never wait for a reload of a hot key.
   */
  readonly staleWhileRevalidateMs?: number;
}

/** Reads rows into the row cache for {@link SharedCache.preload}. */
export type Preloader = (
  entity: { readonly name: string },
  what: readonly (bigint | number)[] | { readonly where: Readonly<Record<string, unknown>> },
) => Promise<number>;

interface Entry {
  readonly value: unknown;
  readonly freshUntil: number;
  readonly staleUntil: number;
  readonly tags: readonly string[];
}

/**
 * The in-process tier of cellar's shared cache: read-mostly values (query results, reference data)
 * shared by every session of the process, bounded by entries and bytes (lru-cache), with tags,
 * single-flight loading and refresh-ahead.
 *
 * Correctness rules: concurrent misses of one key run the loader once; a value whose key or tag was
 * invalidated while its loader ran is returned to its callers but not stored (an invalidation racing
 * a load never leaves the old value cached); values are shared, so treat them as immutable.
 *
 * @example
 * ```ts
 * const cache = new SharedCache({ maxBytes: 32 * 2 ** 20 });
 * const rates = await cache.remember('rates:2026-11', { ttlMs: 60_000, tags: ['rate'] },
 *   () => s.select('select code, rate from rate where month = {m}', { m: '2026-11' }, shape));
 * cache.invalidateTags(['rate']);            // after rates change
 * ```
 */
export class SharedCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #byTag = new Map<string, Set<string>>();
  /** Invalidation clock: the tick at which each key or tag was last invalidated while loads were in flight. */
  readonly #invalidatedAt = new Map<string, number>();
  #clock = 0;
  readonly #onEvent: ((event: CacheEvent) => void) | undefined;
  #hits = 0;
  #misses = 0;
  #staleHits = 0;
  #evictions = 0;
  #loaderCalls = 0;
  #loaderTimeMs = 0;
  #invalidations = 0;
  readonly #rowCaches = new Map<string, EntityRowCache>();
  #preloader: Preloader | undefined;
  readonly #redis: RedisTier | undefined;
  #redisHits = 0;
  #redisMisses = 0;
  #redisErrors = 0;
  readonly #origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(options: SharedCacheOptions = {}) {
    this.#onEvent = options.onEvent;
    this.#redis = options.redis && new RedisTier(options.redis);
    this.#redis?.subscribe((message) => this.#received(message));
    this.#entries = new LRUCache<string, Entry>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? 64 * 2 ** 20,
      sizeCalculation: (entry, key) => Math.max(1, key.length + encodeValue(entry.value).length),
      dispose: (entry, key, reason) => {
        this.#untag(key, entry.tags);
        if (reason === 'evict') {
          this.#evictions++;
          this.#onEvent?.({ type: 'evict', key });
        }
      },
    });
  }

  /**
   * The cached value of `key`, or the loader's value (stored for `ttlMs`). Concurrent misses share one
   * loader call; with `staleWhileRevalidateMs`, a stale value is served while one refresh runs.
   */
  async remember<T>(key: string, options: RememberOptions, loader: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry && now < entry.freshUntil) {
      this.#hits++;
      this.#onEvent?.({ type: 'hit', key });
      return entry.value as T;
    }
    if (entry && now < entry.staleUntil) {
      this.#staleHits++;
      this.#hits++;
      this.#onEvent?.({ type: 'stale-hit', key });
      this.#load(key, options, loader).catch(() => undefined); // refresh-ahead; errors keep the stale value
      return entry.value as T;
    }
    this.#misses++;
    this.#onEvent?.({ type: 'miss', key });
    return this.#load(key, options, loader);
  }

  /**
   * Removes every value stored under any of these tags, here at once (keeping loads already running
   * from storing theirs) and, with a Redis tier, in Redis and the other processes (in the background;
   * see {@link invalidateTagsEverywhere} to wait for that). Returns how many local entries went.
   */
  invalidateTags(tags: Iterable<string>): number {
    const list = [...tags];
    const removed = this.#invalidateLocal(list);
    if (this.#redis && list.length > 0) void this.#redisInvalidate(list);
    return removed;
  }

  #invalidateLocal(tags: readonly string[]): number {
    let removed = 0;
    const tick = ++this.#clock;
    for (const tag of tags) {
      if (this.#inflight.size > 0) this.#invalidatedAt.set(`tag:${tag}`, tick);
      for (const key of [...(this.#byTag.get(tag) ?? [])]) if (this.#entries.delete(key)) removed++;
      this.#onEvent?.({ type: 'invalidate', key: '', tags: [tag] });
    }
    this.#invalidations += removed;
    return removed;
  }

  /** Removes one key here, in the Redis tier and in the other processes (and keeps a load of it already running from storing its value). */
  forget(key: string): boolean {
    const redis = this.#redis;
    redis
      ?.invalidateKeys([key])
      .then(() => redis.publish(JSON.stringify({ origin: this.#origin, keys: [key] })))
      .catch((e: unknown) => this.#tierError(key, e));
    return this.forgetLocally(key);
  }

  /** The row cache of a cached entity's table (made on first use with the entity's settings). */
  rowsOf(table: string, settings: { readonly ttlMs: number; readonly maxEntries: number }): EntityRowCache {
    let rows = this.#rowCaches.get(table);
    if (!rows) this.#rowCaches.set(table, (rows = new EntityRowCache(settings.maxEntries, settings.ttlMs)));
    return rows;
  }

  /** Drops cached rows of a table changed by a commit (all of them for `'all'`). */
  invalidateRows(table: string, ids: readonly bigint[] | 'all'): void {
    this.#rowCaches.get(table)?.invalidate(ids);
    this.#onEvent?.({ type: 'invalidate', key: `rows:${table}` });
  }

  /**
   * Warms the row cache of a cached entity: rows by ids, or by `where` filters, read in batched
   * statements (10,000 ids each) and stored as committed rows. Returns the number of rows stored.
   *
   * @example
   * ```ts
   * await db.cache.preload(Rate, { where: { code: { in: ['EUR', 'USD'] } } });
   * ```
   */
  preload(entity: { readonly name: string }, what: readonly (bigint | number)[] | { readonly where: Readonly<Record<string, unknown>> }): Promise<number> {
    if (!this.#preloader) return Promise.reject(new Error('this cache is not attached to a Database; use db.cache'));
    return this.#preloader(entity, what);
  }

  /** @internal Database attaches the function that reads rows for {@link preload}. */
  attachPreloader(preloader: Preloader): void {
    this.#preloader = preloader;
  }

  /** Counters since the cache was made. */
  stats(): CacheStats {
    const asked = this.#hits + this.#misses;
    return {
      hits: this.#hits,
      misses: this.#misses,
      staleHits: this.#staleHits,
      hitRatio: asked === 0 ? 0 : this.#hits / asked,
      evictions: this.#evictions,
      entries: this.#entries.size,
      bytes: this.#entries.calculatedSize,
      loaderCalls: this.#loaderCalls,
      loaderTimeMs: this.#loaderTimeMs,
      invalidations: this.#invalidations,
      rowHits: [...this.#rowCaches.values()].reduce((n, r) => n + r.hits, 0),
      rowMisses: [...this.#rowCaches.values()].reduce((n, r) => n + r.misses, 0),
      rowEntries: [...this.#rowCaches.values()].reduce((n, r) => n + r.size, 0),
      ...(this.#redis ? { redis: { hits: this.#redisHits, misses: this.#redisMisses, errors: this.#redisErrors } } : {}),
    };
  }

  /** Drops everything (counters stay). */
  clear(): void {
    this.#entries.clear();
    this.#byTag.clear();
    for (const rows of this.#rowCaches.values()) rows.invalidate('all');
  }

  #load<T>(key: string, options: RememberOptions, loader: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key);
    if (running) return running as Promise<T>;
    const startedAt = this.#clock;
    const started = performance.now();
    this.#loaderCalls++;
    const promise = (async () => {
      try {
        const shared = await this.#fromRedis(key);
        if (shared !== undefined) {
          this.#store(key, shared.value, options, startedAt);
          return shared.value as T;
        }
        const value = await loader();
        this.#store(key, value, options, startedAt);
        if (this.#redis && !this.#invalidatedSince(key, options.tags ?? [], startedAt)) {
          this.#redis.fill(key, encodeValue(value), options.ttlMs, options.tags ?? []).catch((e: unknown) => this.#tierError(key, e));
        }
        return value;
      } catch (e) {
        this.#onEvent?.({ type: 'loader-error', key });
        throw e;
      } finally {
        this.#loaderTimeMs += performance.now() - started;
        this.#inflight.delete(key);
        // Invalidation ticks only matter to loads in flight; with none left, forget them (bounded memory).
        if (this.#inflight.size === 0) this.#invalidatedAt.clear();
      }
    })();
    this.#inflight.set(key, promise);
    return promise;
  }

  #invalidatedSince(key: string, tags: readonly string[], startedAt: number): boolean {
    return [`key:${key}`, ...tags.map((t) => `tag:${t}`)].some((k) => (this.#invalidatedAt.get(k) ?? -1) > startedAt);
  }

  /** The Redis tier's value of a key, or undefined (no tier, a miss, or a failed command — counted). */
  async #fromRedis(key: string): Promise<{ value: unknown } | undefined> {
    if (!this.#redis) return undefined;
    try {
      const text = await this.#redis.get(key);
      if (text === undefined) {
        this.#redisMisses++;
        return undefined;
      }
      this.#redisHits++;
      return { value: decodeValue(text) };
    } catch (e) {
      this.#tierError(key, e);
      return undefined;
    }
  }

  #tierError(key: string, error: unknown): void {
    this.#redisErrors++;
    this.#onEvent?.({ type: 'tier-error', key, error });
  }

  /**
   * Invalidates tags here at once and in the Redis tier (awaited, so other processes cannot read the
   * old values once this returns). A Redis failure is counted and reported, never thrown: a commit
   * must not fail because a cache is down.
   */
  async invalidateTagsEverywhere(tags: readonly string[]): Promise<void> {
    this.#invalidateLocal(tags);
    if (this.#redis && tags.length > 0) await this.#redisInvalidate(tags);
  }

  async #redisInvalidate(tags: readonly string[]): Promise<void> {
    try {
      await this.#redis?.invalidateTags(tags);
      await this.#redis?.publish(JSON.stringify({ origin: this.#origin, tags }));
    } catch (e) {
      this.#tierError(`tags:${tags.join(',')}`, e);
    }
  }

  /** Another process invalidated tags or keys (Redis pub/sub). */
  #received(message: string): void {
    try {
      const m = JSON.parse(message) as { origin?: string; tags?: string[]; keys?: string[] };
      if (m.origin === this.#origin) return;
      if (m.tags) this.#invalidateLocal(m.tags);
      for (const key of m.keys ?? []) this.forgetLocally(key);
    } catch {
      // not one of ours
    }
  }

  /** Removes a key from this process only. */
  forgetLocally(key: string): boolean {
    const tick = ++this.#clock;
    if (this.#inflight.size > 0) this.#invalidatedAt.set(`key:${key}`, tick);
    const removed = this.#entries.delete(key);
    if (removed) this.#invalidations++;
    this.#onEvent?.({ type: 'invalidate', key });
    return removed;
  }

  /** Waits for the Redis tier to connect (rejects after `timeoutMs`); resolves at once without one. */
  async ready(timeoutMs?: number): Promise<void> {
    await this.#redis?.ready(timeoutMs);
  }

  /** Closes the Redis connection, if any. */
  async close(): Promise<void> {
    await this.#redis?.close();
  }

  #store(key: string, value: unknown, options: RememberOptions, startedAt: number): void {
    const tags = options.tags ?? [];
    if (this.#invalidatedSince(key, tags, startedAt)) {
      this.#onEvent?.({ type: 'set-skipped', key, tags });
      return;
    }
    const now = Date.now();
    const freshUntil = now + options.ttlMs;
    this.#entries.set(key, { value, freshUntil, staleUntil: freshUntil + (options.staleWhileRevalidateMs ?? 0), tags });
    for (const tag of tags) {
      let keys = this.#byTag.get(tag);
      if (!keys) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    this.#onEvent?.({ type: 'set', key, tags });
  }

  #untag(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (keys?.delete(key) && keys.size === 0) this.#byTag.delete(tag);
    }
  }
}
