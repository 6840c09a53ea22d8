import type { Connection } from './connection.js';

/**
 * Where a session takes its connection: the primary's pool, or (for a read-only session with
 * replicas configured) a router that picks a replica that has caught up. The session layer sees
 * only this.
 */
export interface ConnectionSource {
  /** A checked-out connection; release it with `connection.release()`. */
  acquire(): Promise<Connection>;
  /** Runs `fn` on a checked-out connection and always releases it. */
  withConnection<T>(fn: (connection: Connection) => Promise<T>): Promise<T>;
  /** Behind a pooler in transaction mode: no state may outlive a transaction. */
  readonly transactionPooling: boolean;
}

/** Runs `fn` on a connection from `acquire` and always releases it (destroyed when it failed mid-transaction). */
export async function withAcquired<T>(acquire: () => Promise<Connection>, fn: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await acquire();
  let broken = false;
  try {
    return await fn(connection);
  } catch (e) {
    broken = connection.inTransaction;
    throw e;
  } finally {
    connection.release(broken);
  }
}
