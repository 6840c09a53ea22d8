import { showKey } from './show-key.js';
import { CellarError } from './cellar-error.js';

/** `load(id)` found no row. Use `find(id)` when a missing row is not an error. */
export class NotFoundError extends CellarError {
  readonly code = 'NOT_FOUND' as const;

  constructor(
    readonly entity: string,
    readonly id: unknown,
  ) {
    super(`${entity} with id ${showKey(id)} does not exist (or was deleted in this session); use find() if that is expected`);
  }
}
