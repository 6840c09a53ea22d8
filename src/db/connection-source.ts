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
