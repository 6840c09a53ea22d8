import { ConnectionPool } from '../db/connection-pool.js';
import { ReplicaRouter } from '../db/replica-router.js';
import type { Telemetry } from '../db/telemetry.js';
import type { DatabaseOptions } from './database-options.js';

/** The router of `options.replicas` (a pool per replica, as large as the primary's), or undefined without any. */
export function replicaRouter(primary: ConnectionPool, options: DatabaseOptions, telemetry: Telemetry): ReplicaRouter | undefined {
  const urls = options.replicas ?? [];
  if (urls.length === 0) return undefined;
  const transactionPooling = options.pooler === 'transaction';
  const replicas = urls.map((url) => ({ name: withoutPassword(url), pool: new ConnectionPool(url, options.pool, options.onStatement, telemetry, transactionPooling) }));
  return new ReplicaRouter(primary, replicas, { maxLagMs: options.maxLagMs ?? 5000, waitMs: options.replicaWaitMs ?? 200 }, telemetry);
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
