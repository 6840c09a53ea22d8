import { CellarError } from './cellar-error.js';

/** The session was closed; open a new one with `db.session()`. */
export class SessionClosedError extends CellarError {
  readonly code = 'SESSION_CLOSED' as const;

  constructor() {
    super('this session is closed; open a new one with db.session() or db.transaction()');
  }
}
