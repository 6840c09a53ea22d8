import { CellarError } from './cellar-error.js';

/** An injected API or service was called outside any session. */
export class NoSessionError extends CellarError {
  readonly code = 'NO_SESSION' as const;

  constructor() {
    super('no session in this async context: call injected APIs inside db.transaction(fn) or db.withSession(session, fn) (db.transaction makes its session ambient once cellarModule(db) is loaded, or with Database.open({ ambientSession: true }))');
  }
}
