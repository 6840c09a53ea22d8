import type { EntityRegistry } from '../schema/entity-registry.js';
import type { CollectionLoader } from './collection-loader.js';
import { type ParentKeyDelete, parentKeyDeletes } from './cascade-by-parent.js';
import { FlushWriter, type ReadBack } from './flush-writer.js';
import { planFlush } from './flush-planner.js';
import type { RowWriter } from './row-writer.js';
import type { SessionCounters } from './session-stats.js';
import { tracedFlush } from './traced-flush.js';
import type { TransactionControl } from './transaction-control.js';

/**
 * The flush, told as one story: find what deleted rows take with them (cascades: by the parents' keys
 * when the session holds none of the children, else by reading them) → plan the writes (inserts
 * parents first, updates by changed column set, deletes children first) → write them (a small flush's
 * inserts and updates in one statement, else one per operation and chunk; then the parent-key
 * deletes, then the deletes) → bookkeeping (rows clean or gone, values read back, what the
 * transaction wrote, counters) → reset the tracker. A failed write aborts the session: nothing of it
 * is committed.
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
    copyFrom = Number.POSITIVE_INFINITY,
  ) {
    this.#writer = new FlushWriter(writeChunkSize, combineWrites, copyFrom);
  }

  async run(): Promise<void> {
    this.tx.assertUsable();
    const { roots, held } = this.changes.takeCascadeRoots();
    let byParent: ParentKeyDelete[] = [];
    if (roots.length > 0) {
      // Children nobody holds are deleted by their parents' keys, unread; otherwise they are read first.
      const quick = held ? undefined : parentKeyDeletes(this.registry, roots, new Set(this.changes.tracker.deletedEntities()));
      if (quick) byParent = quick;
      else this.changes.markDeleted(await this.collections.cascade(roots), false);
    }
    const plan = planFlush(this.changes.tracker, this.registry);
    if (plan.length === 0 && byParent.length === 0) return;
    const started = performance.now();
    const rows = plan.reduce((n, op) => n + op.rows.length, 0);
    let written: { readBack: ReadBack[]; deletedByParent: number };
    try {
      written = await this.tx.run((c) => tracedFlush(c, this.tx.telemetry, this.tx.spanContext, rows, () => this.#writer.execute(plan, c, this.changes.tracker.increments, byParent)));
    } catch (e) {
      this.tx.abort(e);
      throw e;
    }
    for (const { row, columnIndex, value } of written.readBack) this.changes.storeReturned(row, columnIndex, value);
    this.counters.rowsWritten += written.deletedByParent;
    for (const d of byParent) this.tx.writes.wrote(d.meta.table);
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
