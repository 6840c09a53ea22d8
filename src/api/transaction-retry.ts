import { DbError } from '../errors/db-error.js';

/** How `db.transaction` retries transient failures. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  readonly attempts?: number;
  /** Backoff before the second attempt; doubles each time (default 20 ms). */
  readonly baseDelayMs?: number;
  /** Longest backoff (default 1,000 ms). */
  readonly maxDelayMs?: number;
}

/** The retry policy of `retry: true` (or the defaults of a partial one). */
export const DEFAULT_RETRY: Required<RetryOptions> = Object.freeze({ attempts: 5, baseDelayMs: 20, maxDelayMs: 1000 });

/**
 * Whether an error is worth rerunning the whole transaction for: a serialization failure (40001) or a
 * deadlock (40P01), found on the error or anywhere down its `cause` chain (a handler may wrap it).
 */
export function isTransient(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof DbError && e.transient) return true;
  }
  return false;
}

/** Full-jitter exponential backoff: a random delay up to base × 2^(attempt-1), capped. */
export function backoffMs(attempt: number, policy: Required<RetryOptions>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.random() * ceiling;
}
