import { UsageError } from '../errors/usage-error.js';
import type { BeginOptions } from '../db/connection.js';
import type { ConnectionSource } from '../db/connection-source.js';
import { noTelemetry, type Telemetry } from '../db/telemetry.js';
import { LIMITS } from '../sql/limits.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import { CellCounter } from './cell-counter.js';
import { CollectionLoader } from './collection-loader.js';
import { Flush } from './flush.js';
import { IdAllocator } from './id-allocator.js';
import { RowMaterializer, type RowFactory } from './row-materializer.js';
import { RowReader } from './row-reader.js';
import { RowWriter } from './row-writer.js';
import { SessionCounters, type SessionStats } from './session-stats.js';
import { TransactionCache } from './transaction-cache.js';
import { TransactionControl, type TransactionHooks } from './transaction-control.js';

/** Settings of one unit of work. */
export interface UnitOfWorkOptions extends BeginOptions, TransactionHooks {
  /** Most cells the transaction cache may hold (default 1,000,000). */
  readonly cellLimit?: number;
  /** Rows per flush statement (default 50,000). */
  readonly writeChunkSize?: number;
  /** Write a small flush's inserts and updates in one statement (default true). */
  readonly combineWrites?: boolean;
  /** Rows of one entity's inserts in a flush from which they go by COPY; `false`: never (default 10,000). */
  readonly copyInsertsFrom?: number | false;
  /** Client-side reply limit of this session's connection, in ms. */
  readonly queryTimeoutMs?: number;
  /** The database's logger and tracing. */
  readonly telemetry?: Telemetry;
  /** The database's id pools (shared by its sessions); a session of its own when absent. */
  readonly ids?: IdAllocator;
  /** Attempts of the same `db.transaction` that failed before this session (its `stats.retries`). */
  readonly retriesBefore?: number;
}

function copyThreshold(option: number | false | undefined): number {
  return option === false ? Number.POSITIVE_INFINITY : (option ?? LIMITS.copyInsertRows);
}

/**
 * The unit of work behind a `Session`: a coordinator over its roles, each with a narrow job —
 * `tx` the transaction lifecycle (connection, state, commit, rollback, savepoints), `rows` reading
 * rows into the transaction cache, `collections` rows by key and by parents (collections, indexes,
 * `batchIn`, cascades), `changes` inserts, changes and deletes (and the cache epoch), and the flush.
 * Helpers take the role they need, not the whole unit of work.
 */
export class UnitOfWork {
  readonly tx: TransactionControl;
  readonly rows: RowReader;
  readonly collections: CollectionLoader;
  readonly changes: RowWriter;
  readonly #counters = new SessionCounters();
  readonly #cells: CellCounter;
  readonly #flush: Flush;
  /** Why commit, rollback and close are refused now (a bulk job's chunk transaction), if they are. */
  #pinnedBy: string | undefined;

  constructor(
    readonly registry: EntityRegistry,
    pool: ConnectionSource,
    createRow: RowFactory,
    options: UnitOfWorkOptions = {},
  ) {
    const cache = new TransactionCache();
    this.#counters.retries = options.retriesBefore ?? 0;
    this.#cells = new CellCounter(options.cellLimit ?? LIMITS.cellLimit);
    this.tx = new TransactionControl(pool, options, options.telemetry ?? noTelemetry, this.#counters);
    this.changes = new RowWriter(registry, cache, this.#cells, this.tx, createRow, options.ids ?? new IdAllocator());
    this.rows = new RowReader(cache, new RowMaterializer(this.changes, cache, this.#cells, this.#counters, createRow), this.tx, this.#counters);
    this.collections = new CollectionLoader(registry, this.rows);
    this.#flush = new Flush(registry, this.changes, this.collections, this.tx, this.#counters, options.writeChunkSize ?? LIMITS.writeChunkRows, options.combineWrites ?? true, copyThreshold(options.copyInsertsFrom));
  }

  get stats(): SessionStats {
    const c = this.#counters;
    return {
      statements: this.tx.statements,
      rowsLoaded: c.rowsLoaded,
      rowsWritten: c.rowsWritten,
      cacheHits: c.cacheHits,
      cells: this.#cells.cells,
      peakCells: this.#cells.peak,
      flushes: c.flushes,
      flushTimeMs: c.flushTimeMs,
      afterCommitFailures: c.afterCommitFailures,
      retries: c.retries,
    };
  }

  /** Writes pending changes inside the transaction; with `clear`, also empties the cache (rops detach). */
  async flush(clear = false): Promise<void> {
    await this.#flush.run();
    if (clear) this.changes.clear();
  }

  /** Flushes, commits, and clears the cache. The session may then start a new transaction. */
  async commit(): Promise<void> {
    this.#assertNotPinned('commit()');
    await this.#flush.run();
    await this.tx.commit();
    this.changes.clear();
  }

  /** Rolls back, clears the cache, and makes an aborted session usable again. */
  async rollback(): Promise<void> {
    this.#assertNotPinned('rollback()');
    await this.tx.rollback();
    this.changes.clear();
  }

  /**
   * Runs `fn` inside a savepoint. Pending changes are flushed first, so the savepoint separates the
   * outer work from the part. On success the part's changes are flushed and the savepoint released;
   * on failure the database goes back to the savepoint (the outer work stays), the session is usable
   * again, the cache is cleared (rops from before become detached), and the error is rethrown.
   */
  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    await this.#flush.run();
    const name = this.tx.nextSavepointName();
    await this.tx.run((c) => c.savepoint(name));
    try {
      const result = await fn();
      await this.#flush.run();
      await this.tx.run((c) => c.releaseSavepoint(name));
      return result;
    } catch (e) {
      // The cache may hold values the undone part wrote or read.
      if (await this.tx.rollbackToSavepoint(name)) this.changes.clear();
      throw e;
    }
  }

  /** Rolls back anything uncommitted and returns the connection to the pool. Idempotent. */
  async close(): Promise<void> {
    this.#assertNotPinned('close()');
    await this.tx.close();
    this.changes.clear();
  }

  /**
   * Refuses `commit()`, `rollback()` and `close()` until the returned function is called: a bulk
   * job's chunk, its writes and its done-mark are one transaction, which its handler must not end.
   */
  pin(reason: string): () => void {
    this.#pinnedBy = reason;
    return () => {
      this.#pinnedBy = undefined;
    };
  }

  #assertNotPinned(call: string): void {
    if (this.#pinnedBy !== undefined) throw new UsageError(`${call} is not allowed here: ${this.#pinnedBy}`);
  }
}
