import type { TierStats } from './cache-tier.js';

/** Counters of the shared cache, from `db.cache.stats`. */
export interface CacheStats {
  /** Values served without calling the loader (from any tier), and calls that found none. */
  readonly hits: number;
  readonly misses: number;
  /** Hits served stale while a refresh ran (`staleWhileRevalidateMs`). */
  readonly staleHits: number;
  /** Fresh hits that also started an early refresh (`earlyRefresh`, probabilistic). */
  readonly earlyRefreshes: number;
  /** hits / (hits + misses), 0 when nothing was asked. */
  readonly hitRatio: number;
  /** Entries dropped by the memory tier to respect `maxEntries` / `maxBytes`. */
  readonly evictions: number;
  /** Entries and approximate bytes (encoded size) in the memory tier. */
  readonly entries: number;
  readonly bytes: number;
  /** Calls of loaders (values no tier had), and the time spent in them. */
  readonly loaderCalls: number;
  readonly loaderTimeMs: number;
  /** Entries removed by `forget` and `invalidateTags` from the memory tier. */
  readonly invalidations: number;
  /** Entity row cache (entities declared with `cache`): hits, misses, rows held. */
  readonly rowHits: number;
  readonly rowMisses: number;
  readonly rowEntries: number;
  /** Each tier's own counters, by name (`memory`, `redis`, `file`). */
  readonly tiers: Readonly<Record<string, TierStats>>;
}

/** An event of the cache, for debug logging. */
export interface CacheEvent {
  readonly type: 'hit' | 'stale-hit' | 'miss' | 'set' | 'set-skipped' | 'evict' | 'invalidate' | 'loader-error' | 'tier-error';
  readonly key: string;
  readonly tags?: readonly string[];
  /** The tier concerned, for `tier-error` (and `hit` from a lower tier). */
  readonly tier?: string;
  /** For `tier-error`: what failed. */
  readonly error?: unknown;
}
