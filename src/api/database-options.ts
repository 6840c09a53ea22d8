import type { BeginOptions } from '../db/connection.js';
import type { PoolOptions } from '../db/connection-pool.js';
import type { StatementListener } from '../db/statement-event.js';
import type { CellarLogger } from '../db/cellar-logger.js';
import type { EntityBase } from '../schema/entity.js';
import type { SharedCacheOptions } from '../cache/shared-cache.js';
import type { RetryOptions } from './transaction-retry.js';

/** Options of {@link Database.open}. */
export interface DatabaseOptions {
  /** PostgreSQL connection URL. Defaults to `DATABASE_URL`. */
  readonly url?: string;
  /**
   * Compare the definitions with the database at open (`db.schema.verify()`) and refuse to start on
   * any difference (`SCHEMA_MISMATCH`, listing them all). Default false.
   */
  readonly verifySchema?: boolean;
  /** Every entity the sessions will use. Checked together (`DEFINITION` errors list every problem). */
  readonly entities: readonly EntityBase[];
  /** Most cells a session's transaction cache may hold (default 1,000,000). */
  readonly cellLimit?: number;
  /** Rows per flush statement (default 50,000). */
  readonly writeChunkSize?: number;
  /**
   * Write the inserts and updates of a small flush (up to 1,000 rows) in one statement — each entity's
   * write a part of one `WITH …` — so a short transaction pays one round trip for all of them
   * (default true). Deletes, and larger flushes, go one statement per entity and chunk either way.
   */
  readonly combineWrites?: boolean;
  /**
   * An entity's inserts in one flush of at least this many rows go as one streamed
   * `COPY … FROM STDIN` instead of `INSERT … SELECT * FROM unnest(…)` chunks: the same rows, the same
   * validation before, the same errors (the failing row's values in the detail), less server time.
   * Default 10,000; `false` never copies (for servers or poolers without COPY).
   */
  readonly copyInsertsFrom?: number | false;
  /**
   * Server-side limit for every statement of every transaction, in ms (`SET LOCAL statement_timeout`
   * in the BEGIN round trip): a slower statement fails with `STATEMENT_TIMEOUT`. Default: the server's.
   */
  readonly statementTimeoutMs?: number;
  /**
   * Client-side limit for every reply, in ms: past it the statement is cancelled, its connection
   * destroyed, and `QUERY_TIMEOUT` raised (a timed-out COMMIT: `COMMIT_OUTCOME_UNKNOWN`). Default none.
   */
  readonly queryTimeoutMs?: number;
  /** node-postgres pool settings. */
  readonly pool?: PoolOptions;
  /**
   * What stands between cellar and the server. `'transaction'`: a pooler in transaction mode
   * (PgBouncer `pool_mode = transaction`), which may give each transaction another server
   * connection, so cellar keeps no session state between transactions: generated SQL is not
   * prepared (unless `pool.preparedStatements: true`, for PgBouncer ≥ 1.21 with
   * `max_prepared_statements`), `chunkedQuery` pages its keys by key instead of a `WITH HOLD`
   * cursor, and LISTEN goes to `listenUrl`. Default `'none'` (a direct connection, or session pooling).
   */
  readonly pooler?: 'none' | 'session' | 'transaction';
  /**
   * Where the cache broadcast LISTENs (a direct URL to the primary, past the pooler): required with
   * `pooler: 'transaction'` when the broadcast is on. Default: `url`.
   */
  readonly listenUrl?: string;
  /**
   * Streaming replicas of `url`'s server. Read-only sessions and transactions (`{ readOnly: true }`,
   * cache preloads among them) go to one that has replayed every commit this process made or heard
   * of (read-your-writes by WAL position), or to the primary when none has within `replicaWaitMs`,
   * lags past `maxLagMs`, or answers. Everything else goes to the primary.
   */
  readonly replicas?: readonly string[];
  /** A replica whose applied WAL lags its received WAL by more than this is skipped (default 5,000 ms). */
  readonly maxLagMs?: number;
  /** How long a read-only transaction waits for a replica to catch up before it goes to the primary (default 200 ms). */
  readonly replicaWaitMs?: number;
  /** Called after every statement (SQL, duration, row count): for logging and tests. Keep it cheap. */
  readonly onStatement?: StatementListener;
  /**
   * Receives statements, transaction boundaries, retries, cache events and bulk-job progress (see
   * {@link CellarLogger} for what goes at which level). pino works as it is: `logger: pino()`.
   */
  readonly logger?: CellarLogger;
  /** Log statement parameters (each truncated to 200 characters) instead of `[redacted]`. Default false. */
  readonly logParameters?: boolean;
  /**
   * OpenTelemetry spans through `@opentelemetry/api`: one per transaction, flush and statement.
   * Without an SDK registered they cost a few function calls. Default true.
   */
  readonly tracing?: boolean;
  /**
   * Make each `db.transaction`'s session the ambient session of its async context (for injected APIs,
   * `db.currentSession()`). `cellarModule(db)` turns it on. Off by default because Node 20's
   * AsyncLocalStorage adds a cost to every promise of the process once it is in use.
   */
  readonly ambientSession?: boolean;
  /** Bounds and logging of `db.cache`, the process's shared cache. */
  readonly cache?: SharedCacheOptions & {
    /**
     * Broadcast every commit's invalidations to the other processes through PostgreSQL
     * LISTEN/NOTIFY (a NOTIFY in the committing transaction; one listening connection per process).
     * Default: on when an entity declares `cache`.
     */
    readonly broadcast?: boolean;
  };
}


/** Options of one session. */
export interface SessionOptions extends BeginOptions {
  /** Overrides the database's `cellLimit` for this session. */
  readonly cellLimit?: number;
  /** Overrides the database's `queryTimeoutMs` for this session. */
  readonly queryTimeoutMs?: number;
  /**
   * A commit token (`db.lastCommitToken` of another process): a read-only session on a replica waits
   * until the replica has replayed it too.
   */
  readonly after?: string;
}

/** Options of {@link Database.transaction}. */
export interface TransactionOptions extends SessionOptions {
  /**
   * Rerun `fn` in a fresh session (empty cache) when it fails with a serialization failure (40001)
   * or a deadlock (40P01) — or what `on` names — with jittered exponential backoff. `true` means the
   * defaults (5 attempts). Other errors are never retried; the error that ends the call carries
   * `attempts`. `fn` must be safe to run again: no side effects outside the database.
   */
  readonly retry?: boolean | RetryOptions;
}
