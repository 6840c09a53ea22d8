import type { ReplicaMark } from './replica-mark.js';
import type { Context } from '@opentelemetry/api';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CommitOutcomeUnknownError } from '../errors/commit-outcome-unknown-error.js';
import { ConnectionLostError, QueryTimeoutError } from '../errors/db-error.js';
import { abandonClient, guardParser } from './client-guards.js';
import { toCellarError } from './pg-error-converter.js';
import type { StatementListener } from './statement-event.js';
import { noTelemetry, type Telemetry } from './telemetry.js';
import { endSpan, failSpan } from './tracing.js';
import { cellarTypeParsers } from '../sql/type-parsers.js';
import { statementNames } from './statement-names.js';

/** Isolation levels accepted by `begin`. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Options of {@link Connection.begin}. */
export interface BeginOptions {
  readonly isolation?: IsolationLevel;
  readonly readOnly?: boolean;
  /** Server-side limit for each statement of the transaction (`SET LOCAL statement_timeout`), in ms. */
  readonly statementTimeoutMs?: number;
}

/** The write being executed, attached to errors so the user learns which entity and rows failed. */
export interface WriteContext {
  readonly entity?: string;
  /** The table written and the kind of write (name the statement's span). */
  readonly table?: string;
  readonly operation?: string;
  /** The ids the statement writes; called only when it fails, to keep the hot path free of copies. */
  readonly ids?: () => readonly unknown[];
  /** Rows the statement writes, when that is not its row count (a combined flush returns only updated keys). */
  readonly rowsWritten?: number;
  /** SQL the user wrote (`select`, `execute`): always sent unnamed, never prepared. */
  readonly userSql?: boolean;
}

/** Most characters of parameters a call may carry and still run as a prepared statement (see `#nameOf`). */
const SMALL_CALL_CHARS = 4096;

/** The context of a statement whose SQL the user wrote. */
export const USER_SQL: WriteContext = Object.freeze({ userSql: true });

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
  /** Client-side limit for each reply, in ms (0: none); set by the session from its options. */
  queryTimeoutMs = 0;
  /** Send the SQL cellar generates as named (prepared) statements; off for poolers that cannot keep them. */
  preparedStatements = true;
  /** Set when the connection is a replica's (see ReplicaRouter); undefined for the primary. */
  replica: ReplicaMark | undefined;

  constructor(client: pg.PoolClient, listener?: StatementListener, telemetry: Telemetry = noTelemetry) {
    this.#client = client;
    this.#listener = listener;
    this.#telemetry = telemetry;
    // A checked-out client whose server goes away emits 'error'; unhandled, it would crash the process.
    // Remember it: the next statement fails with CONNECTION_LOST and release() destroys the client.
    client.on('error', this.#onError);
    client.on('end', this.#onEnd);
    guardParser(client);
  }

  readonly #onEnd = (): void => {
    this.#broken ??= new Error('the server closed the connection');
  };

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
    return this.#send({ text, values: values as unknown[], types: cellarTypeParsers, name: this.#nameOf(text, values, context) }, context);
  }

  /** Sends one statement and returns its rows as arrays (cheaper: no per-row object keys). */
  queryArrays(text: string, values: readonly unknown[] = [], context?: WriteContext): Promise<pg.QueryArrayResult<unknown[]>> {
    return this.#send({ text, values: values as unknown[], types: cellarTypeParsers, rowMode: 'array', name: this.#nameOf(text, values, context) }, context) as Promise<pg.QueryArrayResult<unknown[]>>;
  }

  /**
   * Streams `pieces` (COPY text format) into `text`, a `COPY … FROM STDIN`; counted, timed, traced and
   * its errors converted like any statement. Resolves to the rows copied. A piece that cannot be
   * produced aborts the COPY (CopyFail): nothing of it is written and the connection stays usable.
   */
  copyIn(text: string, pieces: Iterable<string>, context?: WriteContext): Promise<number> {
    return this.#send({ text, values: [] }, context, () => this.#guarded(text, () => this.#copy(text, pieces))).then((r) => r.rowCount ?? 0);
  }

  async #copy(text: string, pieces: Iterable<string>): Promise<pg.QueryResult> {
    const stream = this.#client.query(copyFrom(text));
    await pipeline(Readable.from(pieces), stream);
    return { command: 'COPY', rowCount: stream.rowCount, oid: 0, rows: [], fields: [] };
  }

  /**
   * The prepared statement's name for generated SQL with parameters (see {@link StatementNames}), for
   * small calls only. Statements without parameters (DDL, FETCH) gain nothing from a name. A bulk
   * call (arrays of thousands of keys or rows) is planned each time: PostgreSQL's generic plan of a
   * prepared statement cannot see an array's length and would pick a plan for a few rows, while
   * parse and plan are a negligible part of such a statement's time anyway.
   */
  #nameOf(text: string, values: readonly unknown[], context: WriteContext | undefined): string | undefined {
    if (!this.preparedStatements || context?.userSql === true || values.length === 0) return undefined;
    let size = 0;
    for (const v of values) if (typeof v === 'string' && (size += v.length) > SMALL_CALL_CHARS) return undefined;
    return statementNames.of(text);
  }

  /**
   * BEGIN, with the given isolation and access mode; a statement timeout goes in the same round trip
   * (`BEGIN …; SET LOCAL statement_timeout = n`, a simple-protocol batch), so it costs nothing extra.
   */
  async begin(options: BeginOptions = {}): Promise<void> {
    const mode = [options.isolation && `ISOLATION LEVEL ${options.isolation.toUpperCase()}`, options.readOnly && 'READ ONLY'].filter(Boolean).join(' ');
    let sql = mode ? `BEGIN ${mode}` : 'BEGIN';
    const timeout = options.statementTimeoutMs;
    if (timeout !== undefined && timeout > 0) sql += `; SET LOCAL statement_timeout = ${Math.floor(timeout)}`;
    await this.#control(sql);
    this.#inTransaction = true;
  }

  /**
   * COMMIT. A connection already known dead never sent it: `CONNECTION_LOST`, nothing committed. A
   * connection lost (or a reply timed out) after it was sent: `COMMIT_OUTCOME_UNKNOWN`.
   */
  async commit(): Promise<void> {
    try {
      if (this.#broken !== undefined) throw ConnectionLostError.beforeCommit(this.#broken);
      await this.#control('COMMIT');
    } catch (e) {
      const sent = !(e instanceof ConnectionLostError) || !/before COMMIT was sent|not queryable/.test(e.message);
      if (sent && (e instanceof ConnectionLostError || e instanceof QueryTimeoutError)) throw new CommitOutcomeUnknownError(e);
      throw e;
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
    this.#client.off('end', this.#onEnd);
    this.#client.release(broken || this.broken || this.#inTransaction ? true : undefined);
  }

  async #control(sql: string): Promise<void> {
    const started = performance.now();
    const { log } = this.#telemetry;
    try {
      await this.#execute(sql);
    } catch (e) {
      const error = this.#failed(e);
      if (log.enabled('warn')) log.write('warn', { event: 'statement-failed', sql, code: error.code, durationMs: performance.now() - started }, `cellar: ${sql} failed`);
      throw error;
    }
    const durationMs = performance.now() - started;
    this.#listener?.({ sql, params: [], rowCount: 0, durationMs, transactionControl: true });
    if (log.enabled('debug')) log.write('debug', { event: 'transaction', sql, durationMs }, `cellar ${sql}`);
  }

  /** `execute` replaces the plain send (a COPY); absent on the hot path, which then builds no closure. */
  async #send(config: pg.QueryConfig | pg.QueryArrayConfig, context?: WriteContext, execute?: () => Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    this.#statements++;
    const { log, tracing } = this.#telemetry;
    const span = tracing.startStatement(config.text, context, this.traceParent);
    const started = performance.now();
    let result: pg.QueryResult;
    try {
      result = await (execute ? execute() : this.#execute(config as pg.QueryConfig));
    } catch (e) {
      const error = this.#failed(e, context && { entity: context.entity, ids: context.ids?.() });
      failSpan(span, error);
      if (log.enabled('warn')) {
        const sqlState = (error as { sqlState?: string }).sqlState;
        log.write('warn', { event: 'statement-failed', sql: config.text, code: error.code, sqlState, durationMs: performance.now() - started }, `cellar: statement failed: ${error.message}`);
      }
      throw error;
    }
    const rowCount = context?.rowsWritten ?? result.rowCount ?? result.rows.length;
    endSpan(span, rowCount);
    if (this.#listener || log.enabled('debug')) {
      const durationMs = performance.now() - started;
      const params = config.values ?? [];
      this.#listener?.({ sql: config.text, params, rowCount, durationMs, transactionControl: false });
      if (log.enabled('debug')) log.write('debug', { event: 'statement', sql: config.text, durationMs, rows: rowCount, params: log.params(params) }, 'cellar statement');
    }
    return result;
  }

  /**
   * Sends through the client: at once a `CONNECTION_LOST` when the connection is known dead (never
   * touching the client), and with `queryTimeoutMs`, a `QUERY_TIMEOUT` when the reply is late —
   * the statement is then cancelled and the client destroyed, its late reply dropped.
   */
  #execute(query: string | pg.QueryConfig): Promise<pg.QueryResult> {
    return this.#guarded(typeof query === 'string' ? query : query.text, () => this.#client.query(query as pg.QueryConfig));
  }

  #guarded(text: string, start: () => Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    if (this.#broken !== undefined) return Promise.reject(ConnectionLostError.beforeSend(this.#broken));
    const pending = start();
    const timeoutMs = this.queryTimeoutMs;
    if (!(timeoutMs > 0)) return pending;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new QueryTimeoutError(timeoutMs, text);
        this.#broken ??= error;
        pending.catch(() => undefined); // it fails when the socket goes; nobody waits for it any more
        abandonClient(this.#client);
        reject(error);
      }, timeoutMs);
      pending.then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  /** Converts a failure; a lost connection is remembered, so that nothing else is sent on it. */
  #failed(e: unknown, context?: { entity?: string; ids?: readonly unknown[] }) {
    const error = toCellarError(e, context);
    if (error instanceof ConnectionLostError || error instanceof QueryTimeoutError) this.#broken ??= error;
    return error;
  }
}
