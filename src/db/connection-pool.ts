import pg from 'pg';
import { PoolTimeoutError } from '../errors/pool-timeout-error.js';
import { Connection } from './connection.js';
import { type ConnectionSource, withAcquired } from './connection-source.js';
import { toCellarError } from './pg-error-converter.js';
import type { StatementListener } from './statement-event.js';
import { noTelemetry, type Telemetry } from './telemetry.js';

/** How long `acquire` waits for a free connection by default. */
const DEFAULT_ACQUIRE_TIMEOUT_MS = 30_000;

/** Pool settings passed through to node-postgres. */
export interface PoolOptions {
  /** Most connections open at once (default 10). Each open session holds one. */
  readonly max?: number;
  /** Close idle connections after this long (default 10,000 ms). */
  readonly idleTimeoutMs?: number;
  /**
   * How long a session waits for a free connection before `POOL_TIMEOUT` (default 30,000 ms, as
   * HikariCP's `connectionTimeout`; 0 waits forever). Also bounds opening a new connection.
   */
  readonly acquireTimeoutMs?: number;
  /** @deprecated The node-postgres spelling of {@link idleTimeoutMs}. */
  readonly idleTimeoutMillis?: number;
  /** @deprecated The node-postgres spelling of {@link acquireTimeoutMs}. */
  readonly connectionTimeoutMillis?: number;
  /** `application_name` shown in pg_stat_activity (default `cellar`). */
  readonly applicationName?: string;
  /**
   * Send the SQL cellar generates as named prepared statements, parsed and planned once per
   * connection (default true). Turn it off behind a pooler in transaction mode that cannot keep them
   * (PgBouncer before 1.21, or without `max_prepared_statements`). Your own `select`/`execute` SQL is
   * never prepared.
   */
  readonly preparedStatements?: boolean;
}

/** Connection pool counters. Checked out = `total - idle`. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/** A node-postgres pool handing out counted {@link Connection}s. */
export class ConnectionPool implements ConnectionSource {
  readonly #pool: pg.Pool;
  readonly #listener: StatementListener | undefined;
  readonly #telemetry: Telemetry;

  readonly #max: number;
  readonly #acquireTimeoutMs: number;
  readonly #prepared: boolean;
  /** Behind a pooler in transaction mode: no state may outlive a transaction (see `DatabaseOptions.pooler`). */
  readonly transactionPooling: boolean;

  constructor(url: string, options: PoolOptions = {}, listener?: StatementListener, telemetry: Telemetry = noTelemetry, transactionPooling = false) {
    this.#max = options.max ?? 10;
    this.transactionPooling = transactionPooling;
    this.#prepared = options.preparedStatements ?? !transactionPooling;
    this.#acquireTimeoutMs = options.acquireTimeoutMs ?? options.connectionTimeoutMillis ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: this.#max,
      idleTimeoutMillis: options.idleTimeoutMs ?? options.idleTimeoutMillis ?? 10_000,
      connectionTimeoutMillis: this.#acquireTimeoutMs,
      application_name: options.applicationName ?? 'cellar',
    });
    // An idle client that loses its server emits 'error' on the pool; without a listener Node would crash.
    this.#pool.on('error', (error) => {
      if (telemetry.log.enabled('warn')) telemetry.log.write('warn', { event: 'connection-error', error: String(error) }, 'cellar: an idle pooled connection broke');
    });
    this.#listener = listener;
    this.#telemetry = telemetry;
  }

  /** Checks out a connection; release it with `connection.release()`. */
  async acquire(): Promise<Connection> {
    try {
      const connection = new Connection(await this.#pool.connect(), this.#listener, this.#telemetry);
      connection.preparedStatements = this.#prepared;
      return connection;
    } catch (e) {
      // pg-pool's words when the wait for a free client timed out (not when connecting failed).
      if (e instanceof Error && /timeout exceeded when trying to connect/.test(e.message) && this.#pool.totalCount >= this.#max) {
        const { totalCount, idleCount, waitingCount } = this.#pool;
        throw new PoolTimeoutError(this.#max, totalCount - idleCount, waitingCount + 1, this.#acquireTimeoutMs, e);
      }
      throw toCellarError(e);
    }
  }

  /** Runs `fn` on a checked-out connection and always releases it. */
  withConnection<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    return withAcquired(() => this.acquire(), fn);
  }

  /** Connections open, idle in the pool, and callers waiting for one. */
  get stats(): PoolStats {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  /** Closes every connection. */
  async end(): Promise<void> {
    await this.#pool.end();
  }
}
