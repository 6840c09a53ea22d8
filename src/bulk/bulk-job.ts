import { hostname } from 'node:os';
import type { Database } from '../api/database.js';
import type { Rop } from '../api/rop.js';
import type { Session } from '../api/session.js';
import { unitOfWorkOf } from '../api/session-internals.js';
import { JobFailedError } from '../errors/job-failed-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity, KeyInput, KeyOf } from '../schema/entity.js';
import type { JobChunkInfo, JobProgress } from './chunk-info.js';
import { claimChunkSql, FAILED_CHUNKS, JOB_LOCK_BASE, JOB_STATUS, MARK_DONE, MARK_FAILED, RETRY_FAILED } from './job-sql.js';
import type { JobStatus, JobWorkResult } from './job-status.js';
import { inJobTransaction, type JobQuery, jobQueryOf } from './job-transaction.js';
import { type ProgressReporter, silentProgress, terminalProgress } from './progress-bar.js';

/** The handler of a distributed job: the same contract as `chunkedQuery`'s, with the chunk's session third. */
export type JobHandler<E extends AnyEntity> = (rops: Rop<E>[], info: JobChunkInfo<KeyOf<E>>, session: Session) => unknown;

/** Options of {@link BulkJob.work}. */
export interface JobWorkOptions<E extends AnyEntity = AnyEntity> {
  /** Draw a terminal progress bar of the whole job (every worker's rows; only when stdout is a TTY). */
  readonly progress?: boolean;
  /** Called after each of this worker's chunks commits. */
  readonly onProgress?: (progress: JobProgress<KeyOf<E>>) => void;
  /** How long to wait before looking again when every remaining chunk is held by another worker (default 200 ms). */
  readonly pollMs?: number;
  /** This worker's name in the job tables (default `host:pid`). */
  readonly worker?: string;
}

/** A job's row in the job tables, as `BulkJobs.open` found or planned it. */
export interface PlannedJob {
  /** The job's row id in `cellar_job` (its advisory locks are keyed by it). */
  readonly id: number;
  /** The job's name. */
  readonly name: string;
  /** Failed attempts after which a chunk is left failed. */
  readonly maxAttempts: number;
}

/**
 * A distributed bulk job: planned once into chunks stored in the database, worked by any number of
 * processes. Each chunk is claimed, loaded, handled and marked done in one transaction, so it is
 * applied exactly once, whoever dies when. Get one from `BulkJobs.open`.
 */
export class BulkJob<E extends AnyEntity> {
  /** @internal */
  constructor(
    private readonly db: Database,
    private readonly entity: E,
    private readonly planned: PlannedJob,
  ) {}

  /** The job's name. */
  get name(): string {
    return this.planned.name;
  }

  /**
   * Works the job until no chunk is left: claims the next free chunk (`FOR UPDATE SKIP LOCKED`),
   * loads its rows with one statement, runs `handler(rops, info, session)`, flushes, and commits the
   * writes with the chunk's done-mark. The handler must not commit, roll back or close the session
   * (`USAGE`); it may `flush`, use savepoints and read anything. A handler error rolls the chunk's
   * writes back and records the attempt; the chunk is retried (by any worker) up to the job's
   * `maxAttempts`. When chunks are held by other workers, it waits for them (a worker that dies
   * frees its chunk at once). Resolves with what this worker did; rejects with `JOB_FAILED` when the
   * job ended with failed chunks. Calling it again retries those with fresh attempts.
   *
   * @example
   * ```ts
   * const job = await new BulkJobs(db).open('reprice-2026-12', { entity: DocLine, chunkSize: 5000, sql: 'select id from doc_line' });
   * await job.work(async (rops) => { for (const r of rops) r.set('qty', '0'); });   // in every worker process
   * ```
   */
  async work(handler: JobHandler<E>, options: JobWorkOptions<E> = {}): Promise<JobWorkResult> {
    const pollMs = options.pollMs ?? 200;
    if (!Number.isFinite(pollMs) || pollMs < 1) throw new ValidationError(`job.work: pollMs must be a number of milliseconds ≥ 1, got ${pollMs}`);
    const worker = options.worker ?? `${hostname()}:${process.pid}`;
    const { id, name, maxAttempts } = this.planned;
    await inJobTransaction(this.db, (q) => q(RETRY_FAILED, [id]));
    const started = performance.now();
    const total = (await this.status()).rows.total;
    const progress: ProgressReporter = options.progress ? terminalProgress(name) : silentProgress;
    const claim = claimChunkSql(this.entity.meta.key.columns);
    const key = this.entity.meta.key;
    const session = await this.db.session();
    const uow = session[unitOfWorkOf];
    const { log } = uow.tx.telemetry;
    const query = jobQueryOf(session);
    let chunks = 0;
    let rows = 0;
    let failedAttempts = 0;
    progress.start(total);
    try {
      for (;;) {
        const claimed = await query(claim, [id, JOB_LOCK_BASE + id]);
        const first = claimed[0];
        if (!first) {
          const { finished } = await this.#readStatus(query);
          await uow.rollback();
          if (finished) break;
          await new Promise((resolve) => setTimeout(resolve, pollMs));
          continue;
        }
        const n = first[0] as number;
        const attempt = (first[1] as number) + 1;
        const keys = claimed.map((r) => key.idOfResult(r.slice(2)) as KeyOf<E>);
        const rops = (await session.api(this.entity).findMany(keys as readonly KeyInput<E>[])).filter((r): r is Rop<E> => r !== undefined);
        const info: JobChunkInfo<KeyOf<E>> = { job: name, attempt, worker, chunkIndex: n, chunkKeys: keys.length, rowsDone: rows + rops.length, lastKey: keys[keys.length - 1] as KeyOf<E>, total, elapsedMs: performance.now() - started };
        const savepoint = uow.tx.nextSavepointName();
        await uow.tx.run((c) => c.savepoint(savepoint));
        const unpin = uow.pin(`the chunk's writes and its done-mark commit together when the handler returns; throw to undo the chunk`);
        let done: unknown[][];
        try {
          await this.db.withSession(session, () => handler(rops, info, session));
          await uow.flush();
          done = await query(MARK_DONE, [id, n, rops.length, worker]);
          unpin();
          await uow.commit();
        } catch (e) {
          unpin();
          failedAttempts++;
          if (log.enabled('warn')) log.write('warn', { event: 'job-chunk-failed', job: name, chunk: n, attempt, worker, error: errorText(e) }, `cellar job ${name}: chunk ${n} failed (attempt ${attempt} of ${maxAttempts})`);
          await this.#recordFailure(session, query, savepoint, [id, n, errorText(e), worker, maxAttempts]);
          continue;
        }
        chunks++;
        rows += rops.length;
        const jobRowsDone = Number(done[0]?.[0] ?? 0) + rops.length;
        const report: JobProgress<KeyOf<E>> = { ...info, rowsDone: rows, elapsedMs: performance.now() - started, jobRowsDone };
        progress.update({ ...report, rowsDone: jobRowsDone });
        if (log.enabled('info')) log.write('info', { event: 'job-chunk', job: name, chunk: n, rows: rops.length, jobRowsDone, worker }, `cellar job ${name}: chunk ${n} done, ${jobRowsDone} rows in the job`);
        options.onProgress?.(report);
      }
    } finally {
      progress.stop();
      await session.close();
    }
    const status = await this.status();
    if (status.chunks.failed > 0) throw new JobFailedError(name, status.failures);
    return { chunks, rows, failedAttempts, elapsedMs: performance.now() - started, status };
  }

  /** Where the job stands, from the job tables (two statements; any process may ask). */
  status(): Promise<JobStatus> {
    return inJobTransaction(this.db, (q) => this.#readStatus(q));
  }

  async #readStatus(q: JobQuery): Promise<JobStatus> {
    const { id, name } = this.planned;
    {
      const [row] = await q(JOB_STATUS, [id, JOB_LOCK_BASE + id]);
      const [total, done, failed, keys, rowsDone, running] = (row ?? []).map(Number) as number[];
      const failures = failed ? (await q(FAILED_CHUNKS, [id])).map(([chunk, attempts, error]) => ({ chunk: chunk as number, attempts: attempts as number, error: error as string })) : [];
      const pending = (total ?? 0) - (done ?? 0) - (failed ?? 0) - (running ?? 0);
      return {
        name,
        chunks: { total: total ?? 0, done: done ?? 0, failed: failed ?? 0, running: running ?? 0, pending: Math.max(pending, 0) },
        rows: { total: keys ?? 0, done: rowsDone ?? 0 },
        failures,
        finished: (done ?? 0) + (failed ?? 0) === (total ?? 0),
      };
    }
  }

  /**
   * Undoes the chunk's writes and records the attempt. Back to the savepoint when the transaction is
   * still there, so the claim is kept and nobody else can take the chunk between the undo and the
   * record; otherwise (a commit that failed, a lost connection) in a transaction of its own, where
   * the `pending` guard of MARK_FAILED keeps a chunk done meanwhile done.
   */
  async #recordFailure(session: Session, query: JobQuery, savepoint: string, values: readonly unknown[]): Promise<void> {
    const uow = session[unitOfWorkOf];
    try {
      if (await uow.tx.rollbackToSavepoint(savepoint)) {
        uow.changes.clear();
        await query(MARK_FAILED, values);
        await uow.commit();
        return;
      }
    } catch {
      // fall through: the transaction is gone
    }
    await uow.rollback();
    await query(MARK_FAILED, values);
    await uow.commit();
  }
}

function errorText(e: unknown): string {
  return (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 2000);
}
