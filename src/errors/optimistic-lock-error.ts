import { CellarError } from './cellar-error.js';
import { showKey } from './show-key.js';

/**
 * An update or delete matched fewer rows than the session expected: another transaction changed
 * (version column) or deleted those rows since they were read. The session is aborted: roll back,
 * re-read and apply the change again.
 */
export class OptimisticLockError extends CellarError {
  readonly code = 'OPTIMISTIC_LOCK' as const;

  constructor(
    readonly entity: string,
    /** Ids of the rows whose write matched nothing. */
    readonly ids: readonly unknown[],
  ) {
    const shown = ids.slice(0, 20).map(showKey).join(', ') + (ids.length > 20 ? `, … (${ids.length} in all)` : '');
    super(
      `${entity} rows [${shown}] were changed or deleted by another transaction since this session read them; ` +
        `roll back, reload and apply the change again`,
    );
  }
}
