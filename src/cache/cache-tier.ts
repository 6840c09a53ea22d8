/** One cached value with what every tier needs to serve it. */
export interface CacheEntry {
  readonly value: unknown;
  /** Served as fresh until this moment (epoch ms). */
  readonly freshUntil: number;
  /** Served stale (while one refresh runs) until this moment; equal to `freshUntil` without refresh-ahead. */
  readonly staleUntil: number;
  readonly tags: readonly string[];
  /** How long the loader took (ms): the delta of probabilistic early expiration. */
  readonly computeMs: number;
}

/**
 * What a read of a tier returns: the entry, if the tier holds a valid one, and a ticket. The ticket
 * records the tier's invalidation state at the moment of the read; a value loaded after a miss is
 * stored with `set(key, entry, ticket)`, and the tier refuses (or never serves) it if the key or any
 * of its tags was invalidated since — a load that raced an invalidation never puts an old value back.
 */
export interface TierRead {
  readonly entry: CacheEntry | undefined;
  readonly ticket: unknown;
}

/** Counters of one tier. */
export interface TierStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries stored. */
  readonly fills: number;
  /** Entries dropped to respect the tier's bounds. */
  readonly evictions: number;
  /** Failed commands (Redis down, a disk error); each is reported, never thrown to a caller. */
  readonly errors: number;
}

/**
 * One level of the shared cache: the in-process memory (lru-cache), Redis (ioredis), files on disk
 * (cacache), or a wrapper such as the logging tier. The shared cache asks the tiers in order, fills
 * the faster ones on the way back, and invalidates them all. A tier may answer synchronously.
 */
export interface CacheTier {
  /** For statistics and logs: `memory`, `redis`, `file`. */
  readonly name: string;
  get(key: string, tags: readonly string[]): TierRead | Promise<TierRead>;
  /** Stores an entry read or computed after the `get` that gave `ticket`. */
  set(key: string, entry: CacheEntry, ticket: unknown): void | Promise<void>;
  /** Removes keys; loads of them already running will not store their values. (A count, when the tier knows it.) */
  delete(keys: readonly string[]): void | number | Promise<void>;
  /** Removes every entry under any of the tags; loads under them already running will not store theirs. */
  invalidateTags(tags: readonly string[]): void | number | Promise<void>;
  /** Drops everything this tier holds (for the memory tier after missed invalidations). */
  clear?(): void;
  stats(): TierStats;
  close(): Promise<void>;
}

/** The implicit tag every entry carries for its own key: `forget(key)` invalidates it. */
export function keyTag(key: string): string {
  return `key:${key}`;
}
