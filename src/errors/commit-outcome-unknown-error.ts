import { CellarError } from './cellar-error.js';

/**
 * The connection broke while COMMIT was in flight: the transaction may or may not have committed.
 * Do not assume it rolled back; check the data (or make the work idempotent) before redoing it.
 */
export class CommitOutcomeUnknownError extends CellarError {
  readonly code = 'COMMIT_OUTCOME_UNKNOWN' as const;

  constructor(cause: unknown) {
    super('the connection was lost during COMMIT, so whether the transaction committed is unknown; check the data before retrying', { cause });
  }
}
