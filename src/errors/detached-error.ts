import { showKey } from './show-key.js';
import { CellarError } from './cellar-error.js';

/**
 * A rop from before `flush(true)`, `commit()` or `rollback()` was used. Its values may be stale and
 * writing through it would be silently lost, so it is refused; load the row again.
 */
export class DetachedError extends CellarError {
  readonly code = 'DETACHED' as const;

  constructor(
    readonly entity: string,
    readonly id: unknown,
  ) {
    super(
      `${entity} ${showKey(id)} belongs to a cache that was cleared by flush(true), commit() or rollback(); ` +
        `load it again in the current transaction`,
    );
  }
}
