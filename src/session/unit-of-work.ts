import type { Context } from '@opentelemetry/api';
import type { BeginOptions, Connection } from '../db/connection.js';
import { noTelemetry, type Telemetry } from '../db/telemetry.js';
import type { ConnectionPool } from '../db/connection-pool.js';
import { CommitOutcomeUnknownError } from '../errors/commit-outcome-unknown-error.js';
import { ConnectionLostError, DbError } from '../errors/db-error.js';
import { DetachedError } from '../errors/detached-error.js';
import { SessionAbortedError } from '../errors/session-aborted-error.js';
import { SessionClosedError } from '../errors/session-closed-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import type { SharedCache } from '../cache/shared-cache.js';
import type { CacheIndex } from './cache-index.js';
import { CellCounter } from './cell-counter.js';
import { ChangeTracker } from './change-tracker.js';
import { statementsFor } from './entity-statements.js';
import { FlushWriter } from './flush-writer.js';
import { planFlush } from './flush-planner.js';
import { IdAllocator } from './id-allocator.js';
import { RowInserter } from './row-inserter.js';
import { type MergeMode, type RowFactory, RowMaterializer } from './row-materializer.js';
import { withDirtyColumn } from './dirty-columns.js';
import { isLive, type RowOwner, RowScope, type RowState, RowStatus } from './row-state.js';
import { SessionConnection } from './session-connection.js';
import { tracedFlush } from './traced-flush.js';
import { SessionCounters, type SessionStats } from './session-stats.js';
import { type IdentityMap, TransactionCache } from './transaction-cache.js';
import { TransactionWrites } from './transaction-writes.js';

/** Settings of one unit of work. */
export interface UnitOfWorkOptions extends BeginOptions {
  /** The process's shared cache (object queries and selects with `remember`). */
  readonly sharedCache?: SharedCache;
  /** Called after every successful COMMIT with what it wrote, before `commit()` returns. */
  readonly onCommitted?: (writes: TransactionWrites) => void | Promise<void>;
  /** A NOTIFY sent inside every transaction that wrote something, just before COMMIT (so it is delivered only if it commits). */
  readonly notifyOnCommit?: { readonly channel: string; readonly payload: (writes: TransactionWrites) => string };
  /** Most cells the transaction cache may hold (default 1,000,000). */
  readonly cellLimit?: number;
  /** Rows per flush statement (default 50,000). */
  readonly writeChunkSize?: number;
  /** Client-side reply limit of this session's connection, in ms. */
  readonly queryTimeoutMs?: number;
  /** The database's logger and tracing. */
  readonly telemetry?: Telemetry;
}

type State = 'open' | 'aborted' | 'closed';

/**
 * The unit of work behind a `Session`: one pooled connection (taken on first use, transaction begun
 * lazily), the transaction cache, the cell counter, change tracking, id pools and the flush. It is a
 * thin coordinator; each role lives in its own class.
 */
export class UnitOfWork implements RowOwner {
  #scope = new RowScope(this);
  #state: State = 'open';
  #abortCause: unknown;
  #commits = 0;
  readonly #writes = new TransactionWrites();
  #savepoints = 0;
  readonly #cache = new TransactionCache();
  readonly #tracker = new ChangeTracker();
  readonly #ids = new IdAllocator();
  readonly #counters = new SessionCounters();
  readonly #cells: CellCounter;
  readonly #writer: FlushWriter;
  readonly #materializer: RowMaterializer;
  readonly #link: SessionConnection;
  readonly #inserter: RowInserter;
  readonly #telemetry: Telemetry;

  constructor(
    readonly registry: EntityRegistry,
    private readonly pool: ConnectionPool,
    createRow: RowFactory,
    private readonly options: UnitOfWorkOptions = {},
  ) {
    this.#cells = new CellCounter(options.cellLimit ?? 1_000_000);
    this.#writer = new FlushWriter(options.writeChunkSize ?? 50_000);
    this.#materializer = new RowMaterializer(this, this.#cache, this.#cells, this.#counters, createRow);
    this.#telemetry = options.telemetry ?? noTelemetry;
    this.#link = new SessionConnection(pool, options, this.#telemetry);
    this.#inserter = new RowInserter(this, this.#cache, this.#tracker, this.#cells, this.#ids, createRow, (fn) => this.run(fn));
  }

  /** {@link RowOwner.scope}: replaced whenever the cache is cleared (a commit, rollback or `clear()`). */
  get scope(): RowScope {
    return this.#scope;
  }

  get stats(): SessionStats {
    const c = this.#counters;
    return {
      statements: c.statementsBefore + this.#link.statements,
      rowsLoaded: c.rowsLoaded,
      rowsWritten: c.rowsWritten,
      cacheHits: c.cacheHits,
      cells: this.#cells.cells,
      peakCells: this.#cells.peak,
      flushes: c.flushes,
      flushTimeMs: c.flushTimeMs,
      afterCommitFailures: c.afterCommitFailures,
    };
  }

  /** A connection of its own from the pool, outside this session's transaction (bulk key cursors). Release it. */
  acquireExtraConnection(): Promise<Connection> {
    this.assertUsable();
    return this.pool.acquire();
  }

  /** Counts reads answered from the cache (see `SessionStats.cacheHits`). */
  countCacheHits(n = 1): void {
    this.#counters.cacheHits += n;
  }

  /**
   * The shared cache, when the database has one and this session may read and fill it for a read of
   * `table` (of any table, when none is named) under `tags`. Only READ COMMITTED sessions may: a
   * REPEATABLE READ or SERIALIZABLE snapshot may be older than what the cache holds (reading it would
   * break the snapshot) or than a commit that invalidated it (storing what the snapshot shows could put
   * an old value back). And only while this transaction has written none of the tables the read and
   * its tags cover: what it reads then is not committed data. A `table:<name>` tag covers that table;
   * any other tag may cover any table, so it counts as covering all.
   */
  sharedCacheFor(table?: string, tags: readonly string[] = []): SharedCache | undefined {
    const isolation = this.options.isolation;
    if (isolation !== undefined && isolation !== 'read committed') return undefined;
    const writes = this.#writes;
    if (writes.has(table)) return undefined;
    for (const tag of tags) if (writes.has(tag.startsWith('table:') ? tag.slice('table:'.length) : undefined)) return undefined;
    return this.options.sharedCache;
  }

  /**
   * A read outside this session, on a pooled connection of its own, in autocommit (committed data):
   * for background refreshes of remembered reads, which may run after the session has closed.
   */
  queryOutsideSession(text: string, values: readonly unknown[]): Promise<{ fields: { name: string }[]; rows: unknown[][] }> {
    return this.pool.withConnection(async (c) => {
      const result = await c.queryArrays(text, values);
      return { fields: result.fields.map((f) => ({ name: f.name })), rows: result.rows };
    });
  }

  /** The database's logger and tracing (bulk jobs report progress through it). */
  get telemetry(): Telemetry {
    return this.#telemetry;
  }

  /** Starts the transaction's span now and returns the context to run the transaction's work in. */
  openTransactionSpan(): Context {
    return this.#link.openSpan();
  }

  /** What the current transaction wrote (reads after a write are not committed data). */
  get writes(): TransactionWrites {
    return this.#writes;
  }

  /** COMMITs sent successfully so far. */
  get commitCount(): number {
    return this.#commits;
  }

  /** Adds statements sent for this session on another connection to `stats.statements`. */
  countStatements(n: number): void {
    this.#counters.statementsBefore += n;
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

  /** Throws `DETACHED` for a row of an earlier cache epoch. */
  assertAttached(row: RowState): void {
    if (row.scope !== this.#scope) throw new DetachedError(row.meta.name, row.id);
  }

  /**
   * Runs `fn` on the session's connection inside its transaction (begun now if needed). A database
   * error aborts the session: PostgreSQL refuses every later statement of that transaction anyway.
   */
  async run<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    this.assertUsable();
    const connection = await this.#link.inTransaction();
    try {
      return await fn(connection);
    } catch (e) {
      if (e instanceof DbError) this.#abort(e);
      throw e;
    }
  }

  /** The cached row, unless it is deleted in this session. */
  cached(meta: EntityMeta, id: bigint): RowState | undefined {
    const row = this.#cache.get(meta, id);
    return row && isLive(row) ? row : undefined;
  }

  /** All cached rows of an entity, including deleted ones (check `status`). */
  cachedRowsOf(meta: EntityMeta): IdentityMap {
    return this.#cache.rowsOf(meta);
  }

  /**
   * Loads rows by a WHERE clause over alias `t` (one statement) and merges them into the cache.
   * `absentSince`: see {@link RowMaterializer.materialize}; pass {@link cacheChanges} taken when the
   * caller established that none of the rows it asks for is cached.
   */
  async loadWhere(meta: EntityMeta, where: string, values: readonly unknown[], mode: MergeMode = 'keep', absentSince?: number): Promise<RowState[]> {
    return this.materialize(meta, await this.queryRows(meta, where, values), mode, absentSince);
  }

  /** One fresh row (known not cached) into the cache: the shared-cache hit path of `load`. */
  materializeOne(meta: EntityMeta, values: unknown[]): RowState {
    this.assertUsable();
    return this.#materializer.one(meta, values);
  }

  /** The first half of {@link loadWhere}: the rows as arrays in column order, not yet cached. */
  async queryRows(meta: EntityMeta, where: string, values: readonly unknown[]): Promise<unknown[][]> {
    return (await this.run((c) => c.queryArrays(`${statementsFor(meta).selectFrom} WHERE ${where}`, values))).rows;
  }

  /** The second half of {@link loadWhere}: merges rows from {@link queryRows} into the cache. */
  materialize(meta: EntityMeta, rows: readonly unknown[][], mode: MergeMode = 'keep', absentSince?: number): RowState[] {
    this.assertUsable();
    return this.#materializer.materialize(meta, rows, mode, absentSince);
  }

  /** {@link materialize} with the result aligned to `rows` (undefined where a row was deleted in the session). */
  materializeAligned(meta: EntityMeta, rows: readonly unknown[][]): (RowState | undefined)[] {
    this.assertUsable();
    return this.#materializer.materializeAligned(meta, rows, 'keep');
  }

  /** The cache index of an entity over these columns (built on first use). */
  indexFor(meta: EntityMeta, columns: readonly number[]): CacheIndex {
    return this.#cache.indexFor(meta, columns);
  }

  /** The cache's change counter for an entity (see {@link loadWhere}). */
  cacheChanges(meta: EntityMeta): number {
    return this.#cache.changesOf(meta);
  }

  /** Builds a new row from user values (validated, defaults applied), gives it an id and caches it. */
  insert(meta: EntityMeta, input: Readonly<Record<string, unknown>>, parentIndex = -1, parentId?: bigint): Promise<RowState> {
    try {
      this.assertUsable();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#inserter.insert(meta, input, parentIndex, parentId);
  }

  /** {@link RowOwner.setValue}: validates, stores, and marks the column dirty. */
  setValue(row: RowState, columnIndex: number, value: unknown): void {
    this.assertUsable();
    this.assertAttached(row);
    const column = row.meta.columns[columnIndex] as ColumnMeta;
    if (row.status === RowStatus.Deleted || row.status === RowStatus.Gone) {
      throw new ValidationError(`${row.meta.name} ${row.id} was deleted in this session; it cannot be changed`, row.meta.name, column.field);
    }
    if (column.type.generated) {
      throw ValidationError.badValue(row.meta.name, column.field, `is generated by cellar and cannot be set`);
    }
    const normalized = column.normalize(value);
    const old = row.values[columnIndex];
    if (old === normalized || (old instanceof Date && normalized instanceof Date && old.getTime() === normalized.getTime())) return;
    row.values[columnIndex] = normalized;
    this.#cache.valueChanged(row, columnIndex, old);
    if (row.status === RowStatus.Loaded) {
      // A clean row becomes pending here, once: it is tracked at its first change only.
      if (row.dirty === null) this.#tracker.track(row);
      row.dirty = withDirtyColumn(row.dirty, columnIndex, row.meta.columns.length);
    }
  }

  /** Marks rows deleted (cascades are resolved by the caller); an unflushed insert simply disappears. */
  markDeleted(rows: Iterable<RowState>): void {
    this.assertUsable();
    for (const row of rows) {
      if (row.status === RowStatus.New) {
        row.status = RowStatus.Gone;
        this.#cache.remove(row);
        this.#cells.release(row.meta.columns.length);
      } else if (row.status === RowStatus.Loaded) {
        if (row.dirty === null) this.#tracker.track(row); // a dirty row is tracked already
        row.status = RowStatus.Deleted;
      }
    }
  }

  /** Writes pending changes inside the transaction; with `clear`, also empties the cache (rops detach). */
  async flush(clear = false): Promise<void> {
    this.assertUsable();
    const plan = planFlush(this.#tracker, this.registry);
    if (plan.length > 0) {
      const started = performance.now();
      const rows = plan.reduce((n, op) => n + op.rows.length, 0);
      try {
        await this.run((c) => tracedFlush(c, this.#telemetry, this.#link.spanContext, rows, () => this.#writer.execute(plan, c)));
      } catch (e) {
        this.#abort(e);
        throw e;
      }
      for (const op of plan) {
        this.#writes.wrote(op.meta.table);
        if (op.meta.cache && op.kind !== 'insert') this.#writes.changedRows(op.meta.table, op.rows.map((r) => r.id));
        this.#counters.rowsWritten += op.rows.length;
        for (const row of op.rows) this.#markFlushed(row, op.kind);
      }
      this.#tracker.clear();
      this.#counters.flushes++;
      this.#counters.flushTimeMs += performance.now() - started;
    }
    if (clear) this.#clear();
  }

  /** Flushes, commits, and clears the cache. The session may then start a new transaction. */
  async commit(): Promise<void> {
    await this.flush();
    const connection = this.#link.current;
    const notice = this.options.notifyOnCommit;
    if (notice && connection?.inTransaction && this.#writes.has()) {
      const payload = notice.payload(this.#writes);
      try {
        await this.run((c) => c.query('SELECT pg_notify($1, $2)', [notice.channel, payload]));
      } catch (e) {
        // Sent before COMMIT: a connection lost here means COMMIT was never sent.
        throw e instanceof ConnectionLostError ? ConnectionLostError.beforeCommit(e) : e;
      }
    }
    if (connection?.inTransaction) {
      let failure: unknown;
      try {
        await connection.commit();
        this.#commits++;
      } catch (e) {
        failure = e;
        this.#abort(e);
        // It may have committed: drop from the shared caches whatever it may have changed.
        if (e instanceof CommitOutcomeUnknownError) await this.#afterCommit();
        throw e;
      } finally {
        this.#link.transactionEnded('commit', failure);
      }
      await this.#afterCommit();
    }
    this.#clear();
  }

  /**
   * The work after COMMIT (shared-cache invalidation, here and elsewhere). It cannot undo the commit,
   * so a failure is logged and counted (`stats.afterCommitFailures`), never thrown as if the commit
   * had failed.
   */
  async #afterCommit(): Promise<void> {
    const writes = this.#writes;
    try {
      if (writes.has()) await this.options.onCommitted?.(writes);
    } catch (e) {
      this.#counters.afterCommitFailures++;
      const { log } = this.#telemetry;
      if (log.enabled('warn')) log.write('warn', { event: 'after-commit-failed', error: String(e) }, 'cellar: the commit succeeded, but invalidating the shared cache after it failed');
    } finally {
      writes.reset();
    }
  }

  /** Rolls back, clears the cache, and makes an aborted session usable again. */
  async rollback(): Promise<void> {
    if (this.#state === 'closed') return;
    const connection = this.#link.current;
    try {
      await connection?.rollback();
    } catch {
      // The connection is broken; drop it so the next statement takes a fresh one.
      this.#link.drop(true);
    } finally {
      this.#link.transactionEnded('rollback');
      this.#writes.reset();
      this.#state = 'open';
      this.#abortCause = undefined;
      this.#clear();
    }
  }

  /** A fresh savepoint name for this session. */
  nextSavepointName(): string {
    return `cellar_sp_${++this.#savepoints}`;
  }

  /**
   * Goes back to a savepoint after a part failed: the database undoes the part, the session becomes
   * usable again (even after a failed statement), and the cache is cleared, since it may hold values
   * the undone part wrote or read. Does nothing when the transaction itself is gone.
   */
  async recoverToSavepoint(name: string): Promise<void> {
    const connection = this.#link.current;
    if (this.#state === 'closed' || !connection?.inTransaction || connection.broken) return;
    await connection.rollbackToSavepoint(name);
    this.#state = 'open';
    this.#abortCause = undefined;
    this.#clear();
  }

  /** Rolls back anything uncommitted and returns the connection to the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    await this.rollback();
    this.#link.close();
    this.#state = 'closed';
  }

  #markFlushed(row: RowState, kind: 'insert' | 'update' | 'delete'): void {
    if (kind === 'delete') {
      row.status = RowStatus.Gone;
      this.#cache.remove(row);
      this.#cells.release(row.meta.columns.length);
      return;
    }
    const versionIndex = row.meta.versionIndex;
    if (kind === 'update' && versionIndex >= 0) row.values[versionIndex] = (row.values[versionIndex] as number) + 1;
    row.status = RowStatus.Loaded;
    row.dirty = null;
  }

  #clear(): void {
    this.#scope.detached = true;
    this.#scope = new RowScope(this);
    this.#cache.clear();
    this.#tracker.clear();
    this.#cells.reset();
  }

  #abort(cause: unknown): void {
    if (this.#state === 'open') {
      this.#state = 'aborted';
      this.#abortCause = cause;
    }
  }
}
