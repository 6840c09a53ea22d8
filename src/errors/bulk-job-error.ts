import { CellarError } from './cellar-error.js';

/**
 * A `chunkedQuery` handler failed. The job stopped at `chunkIndex`; chunks up to the one ending at
 * `lastCommittedKey` were committed (when the handler commits per chunk), so the job can be restarted
 * with `resumeAfter: lastCommittedKey`. The handler's error is the `cause`.
 */
export class BulkJobError extends CellarError {
  readonly code = 'BULK_JOB' as const;

  constructor(
    /** The entity the job processed. */
    readonly entity: string,
    /** Index (0-based) of the chunk whose handler failed. */
    readonly chunkIndex: number,
    /** Last key of the last chunk committed before the failure, or undefined if none was. */
    readonly lastCommittedKey: unknown,
    cause: unknown,
  ) {
    super(
      `${entity} bulk job failed in chunk ${chunkIndex}: ${cause instanceof Error ? cause.message : String(cause)}; ` +
        (lastCommittedKey === undefined ? 'no chunk was committed' : `restart with resumeAfter: ${resumeLiteral(lastCommittedKey)} to continue after the last committed chunk`),
      { cause },
    );
  }
}

/** A key as code would write it: `42n`, `'A-1'`, `[1, 3n]`. */
function resumeLiteral(key: unknown): string {
  if (Array.isArray(key)) return `[${key.map(resumeLiteral).join(', ')}]`;
  if (typeof key === 'bigint') return `${key}n`;
  if (typeof key === 'string') return `'${key}'`;
  return String(key);
}
