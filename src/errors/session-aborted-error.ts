import { CellarError } from './cellar-error.js';

/** A flush failed earlier; the transaction is dead. Only `rollback()` or `close()` are allowed now. */
export class SessionAbortedError extends CellarError {
  readonly code = 'SESSION_ABORTED' as const;

  constructor(cause: unknown) {
    super('this session is aborted because an earlier flush failed; call rollback() (or close()) and start again', {
      cause,
    });
  }
}
