import type { Context } from '@opentelemetry/api';
import { type BeginOptions, type Connection, USER_SQL } from '../db/connection.js';
import type { ConnectionSource } from '../db/connection-source.js';
import type { Telemetry } from '../db/telemetry.js';
import { CURRENT_LSN } from '../db/replica-router.js';
import { CommitOutcomeUnknownError } from '../errors/commit-outcome-unknown-error.js';
import { ConnectionLostError, DbError } from '../errors/db-error.js';
import { SessionAbortedError } from '../errors/session-aborted-error.js';
import { SessionClosedError } from '../errors/session-closed-error.js';
import type { SharedCache } from '../cache/shared-cache.js';
import { SessionConnection } from './session-connection.js';
import type { SessionCounters } from './session-stats.js';
import { TransactionWrites } from './transaction-writes.js';

/** How a transaction ends beyond COMMIT: the shared cache to read through and what to tell it and the others. */
export interface TransactionHooks {
  /** The process's shared cache (object queries and selects with `remember`). */
  readonly sharedCache?: SharedCache;
  /** Called after every successful COMMIT (and one whose outcome is unknown) with what it wrote. */
  readonly onCommitted?: (writes: TransactionWrites) => void | Promise<void>;
  /** A NOTIFY sent inside every transaction that wrote something, just before COMMIT (delivered only if it commits). */
  readonly notifyOnCommit?: { readonly channel: string; readonly payload: (writes: TransactionWrites) => string };
  /**
   * Called after every COMMIT of a transaction that wrote, with the primary's WAL position read on
   * the same connection right after it (undefined when it could not be read): replicas must reach
   * it before they serve this process's reads. Only set when replicas are configured.
   */
  readonly onCommitPosition?: (lsn: string | undefined) => void;
}

type State = 'open' | 'aborted' | 'closed';

/**
 * The transaction lifecycle of a session: its one connection (taken at the first statement, the
 * transaction begun lazily), the state machine (open → aborted by a failed statement → open again
 * after rollback; closed for good), COMMIT with the broadcast before it and the cache invalidation
 * after it, ROLLBACK, savepoints, and what the transaction wrote.
 */
export class TransactionControl {
  #state: State = 'open';
  #abortCause: unknown;
  #commits = 0;
  #savepoints = 0;
  readonly writes = new TransactionWrites();
  readonly #link: SessionConnection;

  constructor(
    private readonly pool: ConnectionSource,
    private readonly options: BeginOptions & TransactionHooks & { readonly queryTimeoutMs?: number },
    readonly telemetry: Telemetry,
    private readonly counters: SessionCounters,
  ) {
    this.#link = new SessionConnection(pool, options, telemetry);
  }

  /** Statements sent on every connection this session held (its own and extra ones it counted). */
  get statements(): number {
    return this.counters.statementsBefore + this.#link.statements;
  }

  /** COMMITs sent successfully so far. */
  get commitCount(): number {
    return this.#commits;
  }

  /** Changes whenever a transaction begins or ends: a cursor knows its transaction ended when this changed. */
  get transactionNumber(): number {
    return this.#link.boundaries;
  }

  /** Whether calls are allowed now (not aborted, not closed). */
  get usable(): boolean {
    return this.#state === 'open';
  }

  /** Throws unless calls are allowed: `SESSION_ABORTED` after a failed statement, `SESSION_CLOSED` after close. */
  assertUsable(): void {
    if (this.#state === 'open') return;
    throw this.#state === 'closed' ? new SessionClosedError() : new SessionAbortedError(this.#abortCause);
  }

  /**
   * Runs `fn` on the session's connection inside its transaction (begun now if needed). A database
   * error aborts the session: PostgreSQL refuses every later statement of that transaction anyway.
   */
  async run<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    this.assertUsable();
    // Inside an open transaction (every statement after the first) no wait for the connection is needed.
    const connection = this.#link.ready ?? (await this.#link.inTransaction());
    try {
      return await fn(connection);
    } catch (e) {
      if (e instanceof DbError) this.abort(e);
      throw e;
    }
  }

  /** Marks the session aborted (the first cause is kept). */
  abort(cause: unknown): void {
    if (this.#state === 'open') {
      this.#state = 'aborted';
      this.#abortCause = cause;
    }
  }

  /** The context of the open transaction's span (a flush's span is its child). */
  get spanContext(): Context | undefined {
    return this.#link.spanContext;
  }

  /** Starts the transaction's span now and returns the context to run the transaction's work in. */
  openSpan(): Context {
    return this.#link.openSpan();
  }

  /**
   * The shared cache, when this session may read and fill it for a read of `table` (any table, when
   * none is named) under `tags`: only READ COMMITTED sessions (a REPEATABLE READ or SERIALIZABLE
   * snapshot may be older than the cache, or than a commit that invalidated it), and only while the
   * transaction has written none of the tables the read and its tags cover (what it reads then is not
   * committed data). A `table:<name>` tag covers that table; any other tag may cover any table.
   */
  sharedCacheFor(table?: string, tags: readonly string[] = []): SharedCache | undefined {
    const isolation = this.options.isolation;
    if (isolation !== undefined && isolation !== 'read committed') return undefined;
    // A replica chosen before a commit this process knows of may lack it: neither trust nor fill the cache from it.
    if (this.#link.current?.replica?.behind()) return undefined;
    const writes = this.writes;
    if (writes.has(table)) return undefined;
    for (const tag of tags) if (writes.has(tag.startsWith('table:') ? tag.slice('table:'.length) : undefined)) return undefined;
    return this.options.sharedCache;
  }

  /** A read on a pooled connection of its own, in autocommit: for background refreshes, which may outlive the session. */
  queryOutsideSession(text: string, values: readonly unknown[]): Promise<{ fields: { name: string }[]; rows: unknown[][] }> {
    return this.pool.withConnection(async (c) => {
      const result = await c.queryArrays(text, values, USER_SQL);
      return { fields: result.fields.map((f) => ({ name: f.name })), rows: result.rows };
    });
  }

  /** A connection of its own from the pool, outside this session's transaction (bulk key cursors). Release it. */
  acquireExtraConnection(): Promise<Connection> {
    this.assertUsable();
    return this.pool.acquire();
  }

  /** Whether no state may outlive a transaction (a pooler in transaction mode): no `WITH HOLD` cursors. */
  get transactionPooling(): boolean {
    return this.pool.transactionPooling;
  }

  /** Adds statements sent for this session on another connection to the count. */
  countStatements(n: number): void {
    this.counters.statementsBefore += n;
  }

  /** Sends the broadcast and COMMIT, then invalidates what the transaction wrote. Nothing to do outside a transaction. */
  async commit(): Promise<void> {
    const connection = this.#link.current;
    if (!connection?.inTransaction) return;
    const notice = this.options.notifyOnCommit;
    if (notice && this.writes.has()) {
      const payload = notice.payload(this.writes);
      try {
        await this.run((c) => c.query('SELECT pg_notify($1, $2)', [notice.channel, payload]));
      } catch (e) {
        // Sent before COMMIT: a connection lost here means COMMIT was never sent.
        throw e instanceof ConnectionLostError ? ConnectionLostError.beforeCommit(e) : e;
      }
    }
    let failure: unknown;
    try {
      await connection.commit();
      this.#commits++;
      if (this.options.onCommitPosition && this.writes.has()) this.options.onCommitPosition(await commitPosition(connection));
    } catch (e) {
      failure = e;
      this.abort(e);
      // It may have committed: drop from the shared caches whatever it may have changed, and make
      // replicas catch up with the primary as it is now before they serve this process again.
      if (e instanceof CommitOutcomeUnknownError) {
        if (this.writes.has()) this.options.onCommitPosition?.(undefined);
        await this.#afterCommit();
      }
      throw e;
    } finally {
      this.#link.transactionEnded('commit', failure);
    }
    await this.#afterCommit();
  }

  /** ROLLBACK (a broken connection is dropped instead); the session is open again. */
  async rollback(): Promise<void> {
    if (this.#state === 'closed') return;
    try {
      await this.#link.current?.rollback();
    } catch {
      this.#link.drop(true); // the connection is broken: the next statement takes a fresh one
    } finally {
      this.#link.transactionEnded('rollback');
      this.writes.reset();
      this.#state = 'open';
      this.#abortCause = undefined;
    }
  }

  /** A fresh savepoint name for this session. */
  nextSavepointName(): string {
    return `cellar_sp_${++this.#savepoints}`;
  }

  /** ROLLBACK TO SAVEPOINT, reviving an aborted transaction; false when the transaction itself is gone. */
  async rollbackToSavepoint(name: string): Promise<boolean> {
    const connection = this.#link.current;
    if (this.#state === 'closed' || !connection?.inTransaction || connection.broken) return false;
    await connection.rollbackToSavepoint(name);
    this.#state = 'open';
    this.#abortCause = undefined;
    return true;
  }

  /** Rolls back and gives the connection back; no statement is accepted afterwards. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    await this.rollback();
    this.#link.close();
    this.#state = 'closed';
  }

  /**
   * The work after COMMIT (shared-cache invalidation, here and elsewhere). It cannot undo the commit,
   * so a failure is logged and counted (`stats.afterCommitFailures`), never thrown as if the commit
   * had failed.
   */
  async #afterCommit(): Promise<void> {
    const writes = this.writes;
    try {
      if (writes.has()) await this.options.onCommitted?.(writes);
    } catch (e) {
      this.counters.afterCommitFailures++;
      const { log } = this.telemetry;
      if (log.enabled('warn')) log.write('warn', { event: 'after-commit-failed', error: String(e) }, 'cellar: the commit succeeded, but invalidating the shared cache after it failed');
    } finally {
      writes.reset();
    }
  }
}

/** The WAL position right after a COMMIT on `connection`, or undefined when it cannot be read (the commit stands). */
async function commitPosition(connection: Connection): Promise<string | undefined> {
  try {
    return (await connection.queryArrays(CURRENT_LSN, [])).rows[0]?.[0] as string;
  } catch {
    return undefined;
  }
}
