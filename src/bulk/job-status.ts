import type { FailedChunk } from '../errors/job-failed-error.js';

/** Where a distributed bulk job stands, as every process sees it (read from the job tables). */
export interface JobStatus {
  /** The job's name. */
  readonly name: string;
  /** The job's chunks by state (every chunk is in exactly one). */
  readonly chunks: {
    /** Chunks planned. */
    readonly total: number;
    /** Chunks whose writes and done-mark are committed. */
    readonly done: number;
    /** Chunks whose handler failed on every attempt (none of their writes were kept). */
    readonly failed: number;
    /** Chunks a live worker holds right now (its transaction is open). */
    readonly running: number;
    /** Chunks waiting for a worker (neither done, failed nor running). */
    readonly pending: number;
  };
  /** The job's rows: planned, and processed by done chunks. */
  readonly rows: {
    /** Keys planned. */
    readonly total: number;
    /** Rows the done chunks' handlers received (fewer than their keys when rows were deleted since planning). */
    readonly done: number;
  };
  /** The failed chunks with their last error, in chunk order. */
  readonly failures: readonly FailedChunk[];
  /** Whether no chunk is pending or running (every chunk is done or failed). */
  readonly finished: boolean;
}

/** What one `job.work()` call did in its process, with the job's status when it returned. */
export interface JobWorkResult {
  /** Chunks this worker completed. */
  readonly chunks: number;
  /** Rows this worker's handler received in the chunks it completed. */
  readonly rows: number;
  /** Failed attempts in this worker (each rolled back and recorded in the job tables). */
  readonly failedAttempts: number;
  /** Milliseconds this `work()` call took. */
  readonly elapsedMs: number;
  /** The job as it stood when this worker found nothing left to do. */
  readonly status: JobStatus;
}
