import type pg from 'pg';
import { toCellarError } from './pg-error-converter.js';
import type { StatementListener } from './statement-event.js';
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

  constructor(client: pg.PoolClient, listener?: StatementListener) {
    this.#client = client;
    this.#listener = listener;
    // A checked-out client whose server goes away emits 'error'; unhandled, it would crash the process.
    // Remember it: the next statement fails with CONNECTION_LOST and release() destroys the client.
    client.on('error', this.#onError);
  }

  readonly #onError = (error: unknown): void => {
    this.#broken ??= error;
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
    try {
      await this.#client.query(sql);
    } catch (e) {
      throw toCellarError(e);
    }
    this.#listener?.({ sql, params: [], rowCount: 0, durationMs: performance.now() - started, transactionControl: true });
  }

  async #send(config: pg.QueryConfig | pg.QueryArrayConfig, context?: WriteContext): Promise<pg.QueryResult> {
    this.#statements++;
    const started = this.#listener ? performance.now() : 0;
    let result: pg.QueryResult;
    try {
      result = await this.#client.query(config as pg.QueryConfig);
    } catch (e) {
      throw toCellarError(e, context && { entity: context.entity, ids: context.ids?.() });
    }
    this.#listener?.({
      sql: config.text,
      params: config.values ?? [],
      rowCount: result.rowCount ?? result.rows.length,
      durationMs: performance.now() - started,
      transactionControl: false,
    });
    return result;
  }
}
