import type { Log } from '../db/cellar-logger.js';
import { CellarError } from '../errors/cellar-error.js';
import { DbError, DeadlockError, SerializationFailureError, UniqueViolationError } from '../errors/db-error.js';
import { OptimisticLockError } from '../errors/optimistic-lock-error.js';

/**
 * A failure `db.transaction` may rerun the transaction for: `'serialization'` (40001), `'deadlock'`
 * (40P01), `'optimisticLock'` (a version check or a vanished row at flush, `OPTIMISTIC_LOCK`), and
 * `'uniqueViolation'` (23505 — worth it when two transactions raced to insert the same natural key,
 * a bug when the key is simply taken).
 */
export type RetryCondition = 'serialization' | 'deadlock' | 'optimisticLock' | 'uniqueViolation';

/** What `onRetry` is told before the transaction runs again. */
export interface RetryEvent {
  /** The attempt that failed (1 for the first run). */
  readonly attempt: number;
  /** The error's cellar code, e.g. `SERIALIZATION_FAILURE`. */
  readonly code: string;
  /** PostgreSQL's SQLSTATE, when the database reported the failure. */
  readonly sqlState: string | undefined;
  /** The backoff before the next attempt, in ms. */
  readonly delayMs: number;
  /** The failure itself. */
  readonly error: CellarError;
}

/** How `db.transaction` retries transient failures. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  readonly attempts?: number;
  /** Backoff before the second attempt; doubles each time (default 20 ms). */
  readonly baseDelayMs?: number;
  /** Longest backoff (default 1,000 ms). */
  readonly maxDelayMs?: number;
  /** Which failures rerun the transaction (default `['serialization', 'deadlock']`). */
  readonly on?: readonly RetryCondition[];
  /** Called before every rerun (after the failed session is rolled back and closed). Keep it cheap; a throw here is ignored. */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** A retry policy with every default filled in. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly on: readonly RetryCondition[];
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
}

/** The retry policy of `retry: true` (or the defaults of a partial one). */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ attempts: 5, baseDelayMs: 20, maxDelayMs: 1000, on: Object.freeze(['serialization', 'deadlock'] as const), onRetry: undefined });

/** The policy of a `retry` option, or undefined for none. */
export function retryPolicy(retry: boolean | RetryOptions | undefined): RetryPolicy | undefined {
  if (!retry) return undefined;
  if (retry === true) return DEFAULT_RETRY;
  return {
    attempts: retry.attempts ?? DEFAULT_RETRY.attempts,
    baseDelayMs: retry.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    on: retry.on ?? DEFAULT_RETRY.on,
    onRetry: retry.onRetry,
  };
}

const MATCHES: Readonly<Record<RetryCondition, (e: Error) => boolean>> = {
  serialization: (e) => e instanceof SerializationFailureError,
  deadlock: (e) => e instanceof DeadlockError,
  optimisticLock: (e) => e instanceof OptimisticLockError,
  uniqueViolation: (e) => e instanceof UniqueViolationError,
};

/**
 * The cellar error that makes `error` worth rerunning the transaction for under `on`, found on the
 * error or anywhere down its `cause` chain (a handler may wrap it); undefined when it is not.
 */
export function retryableCause(error: unknown, on: readonly RetryCondition[]): CellarError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof CellarError && on.some((condition) => MATCHES[condition](e))) return e;
  }
  return undefined;
}

/** Full-jitter exponential backoff: a random delay up to base × 2^(attempt-1), capped. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.random() * ceiling;
}

/** The SQLSTATE of a cellar error, when it came from the database. */
export function sqlStateOf(error: CellarError): string | undefined {
  return error instanceof DbError ? error.sqlState : undefined;
}

/**
 * Runs `attempt(n)` until it succeeds, the failure is not one `policy` retries, or the attempts are
 * used up; logs each retry at warn and tells `onRetry`. The error that ends it carries `attempts`.
 */
export async function withRetries<T>(policy: RetryPolicy | undefined, log: Log, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!policy) throw e;
      const cause = retryableCause(e, policy.on);
      if (!cause || n >= policy.attempts) {
        if (e instanceof CellarError) e.attempts = n;
        throw e;
      }
      const delayMs = backoffMs(n, policy);
      const event: RetryEvent = { attempt: n, code: cause.code, sqlState: sqlStateOf(cause), delayMs, error: cause };
      if (log.enabled('warn')) {
        log.write('warn', { event: 'retry', attempt: n, delayMs, code: event.code, sqlState: event.sqlState }, `cellar: transaction attempt ${n} failed with ${event.code}; retrying`);
      }
      try {
        policy.onRetry?.(event);
      } catch {
        // A hook that throws must not turn a retry into a failure: its error is not the transaction's.
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
