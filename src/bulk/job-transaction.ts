import type { Database } from '../api/database.js';
import type { Session } from '../api/session.js';
import { unitOfWorkOf } from '../api/session-internals.js';
import { USER_SQL } from '../db/connection.js';

/** Sends one statement in a session's transaction and returns its rows as arrays (typed by cellar's parsers). */
export type JobQuery = (text: string, values: readonly unknown[]) => Promise<unknown[][]>;

/** The {@link JobQuery} of `session`: statements go into its transaction and are counted in its stats. */
export function jobQueryOf(session: Session): JobQuery {
  const tx = session[unitOfWorkOf].tx;
  return async (text, values) => (await tx.run((c) => c.queryArrays(text, values, USER_SQL))).rows;
}

/** Runs `fn` in a transaction of its own on `db` (committed when it returns, rolled back when it throws). */
export function inJobTransaction<T>(db: Database, fn: (query: JobQuery) => Promise<T>): Promise<T> {
  return db.transaction((s) => fn(jobQueryOf(s)));
}
