import { CellarError } from './cellar-error.js';

/**
 * No pooled connection became free within the acquisition timeout (`pool.acquireTimeoutMs`, 30 s by
 * default). Every connection is held by a session: close sessions promptly, raise `pool.max`, or
 * look for sessions that are never closed. Nothing was sent; the session that asked is unchanged.
 */
export class PoolTimeoutError extends CellarError {
  readonly code = 'POOL_TIMEOUT' as const;

  constructor(
    /** `pool.max`. */
    readonly size: number,
    /** Connections checked out when the wait ended. */
    readonly inUse: number,
    /** Callers waiting for a connection at that moment (this one included). */
    readonly waiting: number,
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(
      `no database connection became free within ${timeoutMs} ms: all ${size} of the pool are in use (${inUse} checked out, ${waiting} waiting). ` +
        'Close sessions when done, raise pool.max, or pass a longer pool.acquireTimeoutMs',
      { cause },
    );
  }
}
