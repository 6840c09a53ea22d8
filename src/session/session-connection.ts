import { type Context, context, type Span } from '@opentelemetry/api';
import type { BeginOptions, Connection } from '../db/connection.js';
import { ConnectionLostError } from '../errors/db-error.js';
import { SessionClosedError } from '../errors/session-closed-error.js';
import type { ConnectionSource } from '../db/connection-source.js';
import { noTelemetry, type Telemetry } from '../db/telemetry.js';
import { endSpan, failSpan, withSpan } from '../db/tracing.js';

/**
 * The one pooled connection of a session: taken at the first statement and kept until the session
 * closes, with the transaction begun lazily (concurrent first statements share one BEGIN). It also
 * counts transaction boundaries, so a cursor can tell that its transaction ended, keeps the
 * statement count of connections it dropped, and holds the transaction's span.
 */
export class SessionConnection {
  #connection: Promise<Connection> | undefined;
  #current: Connection | undefined;
  #beginning: Promise<void> | undefined;
  #boundaries = 0;
  #statementsOfDropped = 0;
  #span: Span | undefined;
  #closed = false;
  #spanContext: Context | undefined;

  constructor(
    private readonly pool: ConnectionSource,
    private readonly options: BeginOptions & { readonly queryTimeoutMs?: number },
    private readonly telemetry: Telemetry = noTelemetry,
  ) {}

  /**
   * Starts the transaction's span now if none is open (`db.transaction` does, so that spans the
   * user's function starts are its children) and returns the context carrying it.
   */
  openSpan(): Context {
    if (this.#spanContext) return this.#spanContext;
    const parent = context.active();
    this.#span = this.telemetry.tracing.startTransaction(parent);
    this.#spanContext = withSpan(parent, this.#span);
    if (this.#current) this.#current.traceParent = this.#spanContext;
    return this.#spanContext;
  }

  /** The context of the open transaction's span (a flush's span is its child), if one is open. */
  get spanContext(): Context | undefined {
    return this.#spanContext;
  }

  /** The connection when a transaction is open on it and it is not known broken: no wait needed. */
  get ready(): Connection | undefined {
    const current = this.#current;
    return current !== undefined && current.inTransaction && !current.broken ? current : undefined;
  }

  /** The connection, if one is held now. */
  get current(): Connection | undefined {
    return this.#current;
  }

  /** Statements sent over every connection this session held. */
  get statements(): number {
    return this.#statementsOfDropped + (this.#current?.statements ?? 0);
  }

  /** Changes whenever a transaction begins or ends. */
  get boundaries(): number {
    return this.#boundaries;
  }

  /** Records that the transaction ended (COMMIT or ROLLBACK sent, or failed with `error`) and ends its span. */
  transactionEnded(outcome: 'commit' | 'rollback', error?: unknown): void {
    this.#boundaries++;
    // A connection that died is discarded now: the next transaction takes a fresh one.
    if (this.#current?.broken) this.drop(true);
    // A replica is chosen per transaction (for the commits known when it begins): give it back.
    else if (this.#current?.replica) this.drop(false);
    const span = this.#span;
    this.#span = undefined;
    this.#spanContext = undefined;
    if (this.#current) this.#current.traceParent = undefined;
    if (!span) return;
    if (span.isRecording()) span.setAttribute('cellar.transaction.outcome', error === undefined ? outcome : 'failed');
    if (error === undefined) endSpan(span);
    else failSpan(span, error);
  }

  /**
   * The connection inside an open transaction: acquired and BEGIN sent as needed. Between
   * transactions a connection that died (a server restart, a killed backend) is replaced, and a BEGIN
   * that fails because the connection was lost is tried once more on a fresh one: nothing of the
   * transaction was done yet.
   */
  async inTransaction(): Promise<Connection> {
    const current = this.#current;
    if (current && !current.inTransaction && current.broken) this.drop(true);
    try {
      return await this.#begun();
    } catch (e) {
      const fresh = this.#current;
      if (!(e instanceof ConnectionLostError) || !fresh || fresh.inTransaction) throw e;
      this.drop(true);
      return this.#begun();
    }
  }

  async #begun(): Promise<Connection> {
    this.#connection ??= this.pool.acquire().then(
      (c) => {
        // The session closed while the connection was on its way: it must not hold one (or leak it).
        if (this.#closed) {
          c.release();
          throw new SessionClosedError();
        }
        c.queryTimeoutMs = this.options.queryTimeoutMs ?? 0;
        return (this.#current = c);
      },
      (e: unknown) => {
        this.#connection = undefined;
        throw e;
      },
    );
    const connection = await this.#connection;
    if (!connection.inTransaction) {
      connection.traceParent = this.#spanContext ?? this.openSpan();
      this.#beginning ??= connection.begin(this.options).then(
        () => {
          this.#boundaries++;
          this.#beginning = undefined;
        },
        (e: unknown) => {
          this.#beginning = undefined;
          throw e;
        },
      );
      await this.#beginning;
    }
    return connection;
  }

  /** The session closed: the connection goes back to the pool, and none is taken again. */
  close(): void {
    this.#closed = true;
    this.drop(false);
  }

  /** Returns the connection to the pool (destroyed when `broken`); the next statement takes a new one. */
  drop(broken: boolean): void {
    const connection = this.#current;
    if (!connection) return;
    this.#statementsOfDropped += connection.statements;
    connection.release(broken);
    this.#connection = undefined;
    this.#current = undefined;
  }
}
