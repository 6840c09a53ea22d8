import type { EntityRegistry } from '../schema/entity-registry.js';
import type { CollectionLoader } from './collection-loader.js';
import { FlushWriter, type ReadBack } from './flush-writer.js';
import { planFlush } from './flush-planner.js';
import type { RowWriter } from './row-writer.js';
import type { SessionCounters } from './session-stats.js';
import { tracedFlush } from './traced-flush.js';
import type { TransactionControl } from './transaction-control.js';

/**
 * The flush, told as one story: find what deleted rows take with them (cascades) → plan the writes
 * (inserts parents first, updates by changed column set, deletes children first) → write them, one
 * statement per operation and chunk → bookkeeping (rows clean or gone, what the transaction wrote,
 * counters) → reset the tracker. A failed write aborts the session: nothing of it is committed.
 */
export class Flush {
  readonly #writer: FlushWriter;

  constructor(
    private readonly registry: EntityRegistry,
    private readonly changes: RowWriter,
    private readonly collections: CollectionLoader,
    private readonly tx: TransactionControl,
    private readonly counters: SessionCounters,
    writeChunkSize: number,
    combineWrites = true,
  ) {
    this.#writer = new FlushWriter(writeChunkSize, combineWrites);
  }

  async run(): Promise<void> {
    this.tx.assertUsable();
    const roots = this.changes.takeCascadeRoots();
    if (roots.length > 0) this.changes.markDeleted(await this.collections.cascade(roots), false);
    const plan = planFlush(this.changes.tracker, this.registry);
    if (plan.length === 0) return;
    const started = performance.now();
    const rows = plan.reduce((n, op) => n + op.rows.length, 0);
    let readBack: ReadBack[];
    try {
      readBack = await this.tx.run((c) => tracedFlush(c, this.tx.telemetry, this.tx.spanContext, rows, () => this.#writer.execute(plan, c, this.changes.tracker.increments)));
    } catch (e) {
      this.tx.abort(e);
      throw e;
    }
    for (const { row, columnIndex, value } of readBack) this.changes.storeReturned(row, columnIndex, value);
    const writes = this.tx.writes;
    for (const op of plan) {
      writes.wrote(op.meta.table);
      if (op.meta.cache && op.kind !== 'insert') writes.changedRows(op.meta.table, op.rows.map((r) => op.meta.key.cacheKeyOfRow(r.values)));
      this.counters.rowsWritten += op.rows.length;
      for (const row of op.rows) this.changes.flushed(row, op.kind);
    }
    this.changes.tracker.clear();
    this.counters.flushes++;
    this.counters.flushTimeMs += performance.now() - started;
  }
}
