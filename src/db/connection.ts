import type { Context } from '@opentelemetry/api';
import type pg from 'pg';
import { toCellarError } from './pg-error-converter.js';
import type { StatementListener } from './statement-event.js';
import { noTelemetry, type Telemetry } from './telemetry.js';
import { endSpan, failSpan } from './tracing.js';
import { cellarTypeParsers } from '../sql/type-parsers.js';

/** Isolation levels accepted by `begin`. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Options of {@link Connection.begin}. */
export interface BeginOptions {
  readonly isolation?: IsolationLevel;
  readonly readOnly?: boolean;
}

/** The write being executed, attached to errors so the user learns which entity and rows failed. */
export interface WriteContext {
  readonly entity?: string;
  /** The table written (names the statement's span). */
  readonly table?: string;
  /** The ids the statement writes; called only when it fails, to keep the hot path free of copies. */
  readonly ids?: () => readonly bigint[];
}

/**
 * One pooled PostgreSQL connection as a session uses it: every statement is counted (transaction
 * control excluded, per DESIGN rule 11), parsed with cellar's type parsers, reported to the
 * statement listener, and its errors converted to the `DbError` tree.
 */
export class Connection {
  #statements = 0;
  #inTransaction = false;
  #released = false;
  #broken: unknown;
  readonly #client: pg.PoolClient;
  readonly #listener: StatementListener | undefined;
  readonly #telemetry: Telemetry;
  /** The span context statements are children of (the session's transaction or flush); set by the session. */
  traceParent: Context | undefined;

  constructor(client: pg.PoolClient, listener?: StatementListener, telemetry: Telemetry = noTelemetry) {
    this.#client = client;
    this.#listener = listener;
    this.#telemetry = telemetry;
    // A checked-out client whose server goes away emits 'error'; unhandled, it would crash the process.
    // Remember it: the next statement fails with CONNECTION_LOST and release() destroys the client.
    client.on('error', this.#onError);
  }

  readonly #onError = (error: unknown): void => {
    this.#broken ??= error;
    const { log } = this.#telemetry;
    if (log.enabled('warn')) log.write('warn', { event: 'connection-error', error: String(error) }, 'cellar: a checked-out connection broke');
  };

  /** Whether the connection broke (its server went away, or a protocol error). */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  /** Statements sent so far, BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE excluded. */
  get statements(): number {
    return this.#statements;
  }

  /** Whether BEGIN was sent and neither COMMIT nor ROLLBACK since. */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  /** Sends one statement and returns its rows as objects. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: readonly unknown[] = [], context?: WriteContext): Promise<pg.QueryResult<R>> {
    return this.#send({ text, values: values as unknown[], types: cellarTypeParsers }, context);
  }

  /** Sends one statement and returns its rows as arrays (cheaper: no per-row object keys). */
  queryArrays(text: string, values: readonly unknown[] = [], context?: WriteContext): Promise<pg.QueryArrayResult<unknown[]>> {
    return this.#send({ text, values: values as unknown[], types: cellarTypeParsers, rowMode: 'array' }, context) as Promise<pg.QueryArrayResult<unknown[]>>;
  }

  /** BEGIN, with the given isolation and access mode. */
  async begin(options: BeginOptions = {}): Promise<void> {
    const mode = [options.isolation && `ISOLATION LEVEL ${options.isolation.toUpperCase()}`, options.readOnly && 'READ ONLY'].filter(Boolean).join(' ');
    await this.#control(mode ? `BEGIN ${mode}` : 'BEGIN');
    this.#inTransaction = true;
  }

  /** COMMIT. */
  async commit(): Promise<void> {
    try {
      await this.#control('COMMIT');
    } finally {
      this.#inTransaction = false;
    }
  }

  /** ROLLBACK; a no-op outside a transaction. */
  async rollback(): Promise<void> {
    if (!this.#inTransaction) return;
    try {
      await this.#control('ROLLBACK');
    } finally {
      this.#inTransaction = false;
    }
  }

  /** SAVEPOINT (transaction control: not counted). */
  savepoint(name: string): Promise<void> {
    return this.#control(`SAVEPOINT ${name}`);
  }

  /** RELEASE SAVEPOINT. */
  releaseSavepoint(name: string): Promise<void> {
    return this.#control(`RELEASE SAVEPOINT ${name}`);
  }

  /** ROLLBACK TO SAVEPOINT: undoes the work since the savepoint, and revives a failed transaction. */
  rollbackToSavepoint(name: string): Promise<void> {
    return this.#control(`ROLLBACK TO SAVEPOINT ${name}`);
  }

  /** Returns the connection to the pool; a broken one (or one left mid-transaction) is destroyed instead. */
  release(broken = false): void {
    if (this.#released) return;
    this.#released = true;
    this.#client.off('error', this.#onError);
    this.#client.release(broken || this.broken || this.#inTransaction ? true : undefined);
  }

  async #control(sql: string): Promise<void> {
    const started = performance.now();
    const { log } = this.#telemetry;
    try {
      await this.#client.query(sql);
    } catch (e) {
      const error = toCellarError(e);
      if (log.enabled('warn')) log.write('warn', { event: 'statement-failed', sql, code: error.code, durationMs: performance.now() - started }, `cellar: ${sql} failed`);
      throw error;
    }
    const durationMs = performance.now() - started;
    this.#listener?.({ sql, params: [], rowCount: 0, durationMs, transactionControl: true });
    if (log.enabled('debug')) log.write('debug', { event: 'transaction', sql, durationMs }, `cellar ${sql}`);
  }

  async #send(config: pg.QueryConfig | pg.QueryArrayConfig, context?: WriteContext): Promise<pg.QueryResult> {
    this.#statements++;
    const { log, tracing } = this.#telemetry;
    const span = tracing.startStatement(config.text, context?.table, this.traceParent);
    const started = performance.now();
    let result: pg.QueryResult;
    try {
      result = await this.#client.query(config as pg.QueryConfig);
    } catch (e) {
      const error = toCellarError(e, context && { entity: context.entity, ids: context.ids?.() });
      failSpan(span, error);
      if (log.enabled('warn')) {
        const sqlState = (error as { sqlState?: string }).sqlState;
        log.write('warn', { event: 'statement-failed', sql: config.text, code: error.code, sqlState, durationMs: performance.now() - started }, `cellar: statement failed: ${error.message}`);
      }
      throw error;
    }
    const rowCount = result.rowCount ?? result.rows.length;
    endSpan(span, rowCount);
    if (this.#listener || log.enabled('debug')) {
      const durationMs = performance.now() - started;
      const params = config.values ?? [];
      this.#listener?.({ sql: config.text, params, rowCount, durationMs, transactionControl: false });
      if (log.enabled('debug')) log.write('debug', { event: 'statement', sql: config.text, durationMs, rows: rowCount, params: log.params(params) }, 'cellar statement');
    }
    return result;
  }
}
