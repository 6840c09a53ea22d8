import { UsageError } from '../errors/usage-error.js';
import type { CacheEvent, CacheStats } from './cache-stats.js';
import { type CacheTier, keyTag } from './cache-tier.js';
import { type EntityRowCache, EntityRowCaches, type RowCacheSettings } from './entity-row-cache.js';
import { InvalidationClock } from './invalidation-clock.js';
import { decodeInvalidation, type InvalidationMessage } from './invalidation-message.js';
import { propagateInvalidation } from './invalidation-propagation.js';
import type { MemoryTier } from './memory-tier.js';
import type { RedisTier } from './redis-tier.js';
import { buildTierChain, type TierChoice } from './tier-chain.js';
import { TierLoader } from './tier-loader.js';
import type { RememberOptions } from './remember-options.js';
import type { Preloader, PreloadKey } from './preloader.js';
export type { Preloader, PreloadKey } from './preloader.js';

export type { RememberOptions } from './remember-options.js';

/** Options of {@link SharedCache}: the tiers (see {@link TierChoice}) and an event callback. */
export interface SharedCacheOptions extends TierChoice {
  /** Receives every cache event (hit, miss, set, eviction, invalidation, tier error); keep it cheap. */
  readonly onEvent?: (event: CacheEvent) => void;
  /** The clock of TTLs, in epoch ms (default `Date.now`): tests drive expiry with a fake one instead of sleeping. */
  readonly now?: () => number;
}


interface Load {
  readonly promise: Promise<unknown>;
  /** The invalidation clock when it started: later callers join only if nothing it covers was invalidated since. */
  readonly startedAt: number;
}

/**
 * cellar's shared cache: read-mostly values (query results, reference data) shared by every session
 * of the process, in tiers asked in order — memory (lru-cache), then Redis and files when configured —
 * with tags, single-flight loading, refresh-ahead and probabilistic early expiration.
 *
 * Rules (each has a spec): concurrent misses of one key run the loader once, but a caller never joins
 * a load that started before the latest invalidation of its key or any of its tags; a value whose key
 * or tag was invalidated while its loader ran is returned to its callers and stored in no tier; a
 * loader's `undefined` is returned and not stored (`null` is a value and is stored); values are
 * shared, so treat them as immutable.
 *
 * @example
 * ```ts
 * const rates = await db.cache.remember('rates:2026-11', { ttlMs: 60_000, tags: ['rate'] },
 *   () => s.select('select code, rate from rate where month = {m}', { m: '2026-11' }, shape));
 * await db.cache.invalidateTagsEverywhere(['rate']);            // after rates change
 * ```
 */
export class SharedCache {
  /** This cache's identity in invalidation messages (its own are not applied twice). */
  readonly origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  readonly #clock = new InvalidationClock();
  readonly #tiers: readonly CacheTier[];
  readonly #memory: MemoryTier | undefined;
  readonly #lower: readonly CacheTier[];
  readonly #redis: RedisTier | undefined;
  readonly #inflight = new Map<string, Load>();
  readonly #background = new Set<Promise<unknown>>();
  readonly #onEvent: ((event: CacheEvent) => void) | undefined;
  readonly #rowCaches = new EntityRowCaches();
  #preloader: Preloader | undefined;
  #hits = 0;
  #misses = 0;
  #staleHits = 0;
  #earlyRefreshes = 0;
  #invalidations = 0;
  #closed = false;
  #broadcasting = false;
  #warnedLocalOnly = false;
  readonly #loader: TierLoader;
  readonly #now: () => number;

  constructor(options: SharedCacheOptions = {}) {
    this.#onEvent = options.onEvent;
    this.#now = options.now ?? Date.now;
    const chain = buildTierChain(options, this.#clock);
    this.#tiers = chain.tiers;
    this.#memory = chain.memory;
    this.#lower = chain.tiers.filter((t) => t !== chain.memory);
    this.#redis = chain.redis;
    if (this.#memory) this.#memory.onEvict = (key) => this.#onEvent?.({ type: 'evict', key });
    this.#loader = new TierLoader(this.#clock, this.#memory, this.#lower, this.#onEvent, (p) => this.#track(p), (tier, key, e) => this.#tierError(tier, key, e), this.#now);
    this.#redis?.subscribe(
      (text) => this.#received(text),
      () => this.#memory?.clear(), // messages were missed while the subscription was down: trust nothing held
    );
  }

  /**
   * The cached value of `key`, or the loader's value (stored in every tier for `ttlMs`). `refresh`,
   * when given, is the loader for background refreshes (refresh-ahead, early refresh): one that does
   * not depend on the caller's session, which may be closed by then.
   */
  remember<T>(key: string, options: RememberOptions, loader: () => Promise<T>, refresh?: () => Promise<T>): Promise<T> {
    const entry = this.#memory?.entry(key);
    if (entry !== undefined) {
      const now = this.#now();
      if (now < entry.freshUntil) {
        this.#hits++;
        this.#onEvent?.({ type: 'hit', key });
        if (options.earlyRefresh !== undefined && now - entry.computeMs * options.earlyRefresh * Math.log(Math.random()) >= entry.freshUntil) {
          this.#earlyRefreshes++;
          this.#refreshInBackground(key, options, refresh ?? loader);
        }
        return Promise.resolve(entry.value as T);
      }
      if (now < entry.staleUntil) {
        this.#hits++;
        this.#staleHits++;
        this.#onEvent?.({ type: 'stale-hit', key });
        this.#refreshInBackground(key, options, refresh ?? loader);
        return Promise.resolve(entry.value as T);
      }
    }
    this.#misses++;
    this.#onEvent?.({ type: 'miss', key });
    return this.#load(key, options, loader) as Promise<T>;
  }

  /** Removes the values of these tags here at once, elsewhere in the background; returns how many memory entries went. */
  invalidateTags(tags: Iterable<string>): number {
    const list = [...tags];
    const removed = this.#invalidateHere({ origin: this.origin, tags: list });
    if (list.length > 0) this.#track(propagateInvalidation(this.#lower, this.#redis, (tier, key, e) => this.#tierError(tier, key, e), { origin: this.origin, tags: list }));
    return removed;
  }

  /** {@link invalidateTags}, resolved once the lower tiers (Redis, files) have it: no process can read the old values from them afterwards. */
  async invalidateTagsEverywhere(tags: readonly string[]): Promise<void> {
    await this.invalidateEverywhere({ origin: this.origin, tags });
  }

  /** Applies a commit's invalidation here, in the lower tiers and other processes; tier failures are reported, never thrown. */
  async invalidateEverywhere(message: InvalidationMessage): Promise<void> {
    this.#invalidateHere(message);
    await propagateInvalidation(this.#lower, this.#redis, (tier, key, e) => this.#tierError(tier, key, e), message);
  }

  /** Applies another process's invalidation (from NOTIFY or Redis pub/sub) to this process only. */
  applyRemote(message: InvalidationMessage): void {
    if (message.origin === this.origin) return;
    this.onRemoteCommit?.(); // before the invalidation: no read may pass between the two
    this.#invalidateHere(message);
  }

  /** @internal Told of every other process's commit as it arrives (replica routing). */
  onRemoteCommit: (() => void) | undefined;

  /** Removes one key here, in the lower tiers and in the other processes. */
  forget(key: string): boolean {
    const removed = this.#invalidateHere({ origin: this.origin, tags: [], keys: [key] }) > 0;
    this.#track(propagateInvalidation(this.#lower, this.#redis, (tier, key, e) => this.#tierError(tier, key, e), { origin: this.origin, tags: [], keys: [key] }));
    return removed;
  }

  /** Removes a key from this process only. */
  forgetLocally(key: string): boolean {
    return this.#invalidateHere({ origin: this.origin, tags: [], keys: [key] }) > 0;
  }
  /** Whether other processes' commits invalidate this cache (Redis pub/sub, or NOTIFY broadcasts); when false, values live until their TTL. */
  get crossProcess(): boolean {
    return this.#redis !== undefined || this.#broadcasting;
  }

  /** @internal True the first time only (a process-local cache warns once). */
  firstLocalOnlyUse(): boolean {
    return !this.#warnedLocalOnly && (this.#warnedLocalOnly = true);
  }

  /** @internal The database broadcasts commits (LISTEN/NOTIFY). */
  markBroadcasting(): void {
    this.#broadcasting = true;
  }

  /** The row cache of a cached entity's table (made on first use with the entity's settings). */
  rowsOf(table: string, settings: RowCacheSettings): EntityRowCache {
    return this.#rowCaches.of(table, settings);
  }

  /** Drops cached rows of a table changed by a commit, named by their keys' text (all of them for `'all'`). */
  invalidateRows(table: string, keys: readonly string[] | 'all'): void {
    this.#rowCaches.invalidate(table, keys);
    this.#onEvent?.({ type: 'invalidate', key: `rows:${table}` });
  }

  /**
   * Warms the row cache of a cached entity: rows by ids, or by `where` filters, read in batched
   * statements (10,000 ids each). Returns the number of rows stored.
   * @example
   * ```ts
   * await db.cache.preload(Rate, { where: { code: { in: ['EUR', 'USD'] } } });
   * ```
   */
  preload(entity: { readonly name: string }, what: readonly PreloadKey[] | { readonly where: Readonly<Record<string, unknown>> }): Promise<number> {
    if (!this.#preloader) return Promise.reject(UsageError.cannotPreload('this cache is not attached to a Database; use db.cache'));
    return this.#preloader(entity, what);
  }

  /** @internal Database attaches the function that reads rows for {@link preload}. */
  attachPreloader(preloader: Preloader): void {
    this.#preloader = preloader;
  }

  /** Counters since the cache was made. */
  get stats(): CacheStats {
    const asked = this.#hits + this.#misses;
    const memory = this.#memory?.stats();
    return {
      hits: this.#hits,
      misses: this.#misses,
      staleHits: this.#staleHits,
      earlyRefreshes: this.#earlyRefreshes,
      hitRatio: asked === 0 ? 0 : this.#hits / asked,
      evictions: memory?.evictions ?? 0,
      entries: this.#memory?.size ?? 0,
      bytes: this.#memory?.bytes ?? 0,
      loaderCalls: this.#loader.calls,
      loaderTimeMs: this.#loader.timeMs,
      invalidations: this.#invalidations,
      ...this.#rowCaches.stats(),
      tiers: Object.fromEntries(this.#tiers.map((t) => [t.name, t.stats()])),
    };
  }

  /** Drops everything held in this process (counters stay). */
  clear(): void {
    this.#memory?.clear();
    this.#rowCaches.clear();
  }

  /** Waits for the Redis tier to connect (rejects after `timeoutMs`); resolves at once without one. */
  async ready(timeoutMs?: number): Promise<void> {
    await this.#redis?.ready(timeoutMs);
  }

  /** Resolves when the background work started so far (fills of lower tiers, refreshes, invalidations) has finished. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  /** Waits for background refreshes and fills (bounded), then closes the tiers. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.race([Promise.allSettled([...this.#background]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await Promise.allSettled(this.#tiers.map((t) => t.close()));
  }

  #load(key: string, options: RememberOptions, loader: () => Promise<unknown>): Promise<unknown> {
    const tags = options.tags ?? [];
    const running = this.#inflight.get(key);
    if (running && !this.#clock.invalidatedSince(running.startedAt, [keyTag(key), ...tags])) return running.promise;
    const startedAt = this.#clock.now();
    const promise = this.#loader.load(key, options, tags, startedAt, loader, () => this.#closed);
    const load: Load = { promise, startedAt };
    this.#inflight.set(key, load);
    const done = (): void => {
      if (this.#inflight.get(key) === load) this.#inflight.delete(key);
    };
    promise.then(done, done);
    return promise;
  }

  #refreshInBackground(key: string, options: RememberOptions, loader: () => Promise<unknown>): void {
    const running = this.#inflight.get(key);
    if (this.#closed || (running && !this.#clock.invalidatedSince(running.startedAt, [keyTag(key), ...(options.tags ?? [])]))) return;
    this.#track(this.#load(key, options, loader).catch(() => undefined)); // a failed refresh keeps the stale value
  }

  /** The local part of an invalidation: memory entries, row caches, and the clock for loads in flight. */
  #invalidateHere(message: InvalidationMessage): number {
    const keys = message.keys ?? [];
    let removed = 0;
    if (this.#memory) {
      if (message.tags.length > 0) removed += this.#memory.invalidateTags(message.tags);
      if (keys.length > 0) removed += this.#memory.delete(keys);
    } else this.#clock.invalidate([...message.tags, ...keys.map(keyTag)]);
    for (const [table, ids] of Object.entries(message.rows ?? {})) this.invalidateRows(table, ids);
    this.#invalidations += removed;
    for (const tag of message.tags) this.#onEvent?.({ type: 'invalidate', key: '', tags: [tag] });
    for (const key of keys) this.#onEvent?.({ type: 'invalidate', key });
    return removed;
  }

  #received(text: string): void {
    const message = decodeInvalidation(text);
    if (message) this.applyRemote(message);
  }

  #tierError(tier: CacheTier, key: string, error: unknown): void {
    this.#onEvent?.({ type: 'tier-error', key, tier: tier.name, error });
  }

  #track(promise: Promise<unknown>): void {
    this.#background.add(promise);
    promise.finally(() => this.#background.delete(promise)).catch(() => undefined);
  }
}
