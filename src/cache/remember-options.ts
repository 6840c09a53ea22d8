/** Options of `SharedCache.remember`. */
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
  /**
   * Probabilistic early expiration ("XFetch"): a fresh hit starts a background refresh with a
   * probability that grows as expiry nears, scaled by how long the loader took and by this factor
   * (1 is the usual choice; larger refreshes earlier). N processes then do not all miss at once.
   */
  readonly earlyRefresh?: number;
}
