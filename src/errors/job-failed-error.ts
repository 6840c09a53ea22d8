import { CellarError } from './cellar-error.js';

/** One chunk of a distributed bulk job that used up its attempts. */
export interface FailedChunk {
  /** The chunk's number (0-based, in key order). */
  readonly chunk: number;
  /** Times its handler failed. */
  readonly attempts: number;
  /** The last failure's message, as recorded in the job tables. */
  readonly error: string;
}

/**
 * A distributed bulk job ended with chunks whose handler failed on every attempt. Every other chunk
 * is done (its writes and its done-mark committed together); the failed ones changed nothing. Fix the
 * cause and call `job.work()` again: it gives the failed chunks a fresh set of attempts.
 */
export class JobFailedError extends CellarError {
  /** Always `JOB_FAILED`. */
  readonly code = 'JOB_FAILED' as const;

  constructor(
    /** The job's name. */
    readonly job: string,
    /** The chunks that failed, in chunk order. */
    readonly failed: readonly FailedChunk[],
  ) {
    const first = failed[0];
    super(
      `bulk job "${job}" ended with ${failed.length} failed chunk${failed.length === 1 ? '' : 's'}` +
        (first ? ` (chunk ${first.chunk} after ${first.attempts} attempts: ${first.error})` : '') +
        '; every other chunk is done; fix the cause and call job.work() again to retry the failed chunks',
    );
  }
}
