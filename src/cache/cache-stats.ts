/** Counters of the shared cache, from `db.cache.stats()` / `cache.stats()`. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Hits served stale while a refresh ran (`staleWhileRevalidateMs`). */
  readonly staleHits: number;
  /** hits / (hits + misses), 0 when nothing was asked. */
  readonly hitRatio: number;
  /** Entries dropped to respect `maxEntries` / `maxBytes`. */
  readonly evictions: number;
  readonly entries: number;
  /** Approximate bytes held (encoded size of the values). */
  readonly bytes: number;
  /** Loader calls, and the time spent in them. */
  readonly loaderCalls: number;
  readonly loaderTimeMs: number;
  /** Entries removed by `forget` and `invalidateTags`. */
  readonly invalidations: number;
  /** Entity row cache (entities declared with `cache`): hits, misses, rows held. */
  readonly rowHits: number;
  readonly rowMisses: number;
  readonly rowEntries: number;
  /** The Redis tier, when configured: hits, misses, and failed commands (each also reported as a `tier-error` event). */
  readonly redis?: { readonly hits: number; readonly misses: number; readonly errors: number };
}

/** An event of the cache, for debug logging. */
export interface CacheEvent {
  readonly type: 'hit' | 'stale-hit' | 'miss' | 'set' | 'set-skipped' | 'evict' | 'invalidate' | 'loader-error' | 'tier-error';
  readonly key: string;
  readonly tags?: readonly string[];
  /** For `tier-error`: what failed. */
  readonly error?: unknown;
}
