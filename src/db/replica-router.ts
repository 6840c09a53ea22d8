import type { Connection } from './connection.js';
import type { ConnectionPool } from './connection-pool.js';
import { type ConnectionSource, withAcquired } from './connection-source.js';
import type { ReplicaMark } from './replica-mark.js';
import type { Telemetry } from './telemetry.js';

/** How reads are routed to replicas (see `DatabaseOptions.replicas`). */
export interface ReplicaRouting {
  /** A replica whose replay lags more than this (with WAL received and not yet applied) is skipped. */
  readonly maxLagMs: number;
  /** How long a read waits for a replica to replay the commit it must see before going to the primary. */
  readonly waitMs: number;
}

/** Where the read-only sessions went, for monitoring and specs. */
export interface ReplicaStats {
  /** Read-only transactions served by a replica. */
  readonly replicaReads: number;
  /** Read-only transactions that went to the primary: no replica had caught up in time, lagged, or answered. */
  readonly primaryReads: number;
}

/** A replica's caught-up state, lag (0 when everything received is applied) and whether it is in recovery at all. */
const REPLICA_STATE = `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn,
  CASE WHEN pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() THEN coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) ELSE 0 END::float8,
  pg_is_in_recovery()`;
/** The primary's WAL position now: past every commit that finished before it is read. */
export const CURRENT_LSN = 'SELECT pg_current_wal_lsn()::text';
/** How long a replica that failed or lagged is left out before it is tried again. */
const SKIP_MS = 1000;

interface Replica {
  readonly name: string;
  readonly pool: ConnectionPool;
  skippedUntil: number;
}

/**
 * Read-your-writes by WAL position. The router knows the newest commit the process must see: the
 * WAL position after each of its own writing commits, and after each invalidation another process
 * broadcast (read from the primary when the message arrives; until then reads go to the primary).
 * A read-only transaction gets a replica only once `pg_last_wal_replay_lsn()` has reached that
 * position (waiting up to `waitMs`), and only a replica in recovery whose lag is within `maxLagMs`;
 * otherwise the primary. Nothing is decided by a timer.
 */
export class ReplicaRouter {
  readonly #replicas: Replica[];
  #next = 0;
  /** The WAL position every read must see, as text (`pg_lsn`), '0/0' before any commit. */
  #required = '0/0';
  /** Positions being fetched (remote invalidations): while any is, reads go to the primary. */
  #unknown = 0;
  /** A position could not be read: reads go to the primary until a later one is known. */
  #lost = false;
  /** Bumped whenever `#required` may have moved: a replica chosen before may lack that commit. */
  #epoch = 0;
  #replicaReads = 0;
  #primaryReads = 0;

  constructor(
    private readonly primary: ConnectionPool,
    replicas: readonly { readonly name: string; readonly pool: ConnectionPool }[],
    private readonly routing: ReplicaRouting,
    private readonly telemetry: Telemetry,
  ) {
    this.#replicas = replicas.map((r) => ({ ...r, skippedUntil: 0 }));
  }

  get stats(): ReplicaStats {
    return { replicaReads: this.#replicaReads, primaryReads: this.#primaryReads };
  }

  /** The newest commit position the process knows of (a commit token to hand to other processes). */
  get lastCommitToken(): string | undefined {
    return this.#required === '0/0' ? undefined : this.#required;
  }

  /** A commit of this process ended at `lsn` (undefined: it committed, but its position could not be read). */
  committed(lsn: string | undefined): void {
    this.#epoch++;
    if (lsn === undefined) {
      this.#track(this.#primaryPosition());
      return;
    }
    this.#raise(lsn);
  }

  /** Another process's commit was announced: reads go to the primary until its position is known. */
  remoteCommit(): void {
    this.#epoch++;
    this.#track(this.#primaryPosition());
  }

  /** The source of a read-only session: replicas that have replayed `after` (and every commit the process knows of). */
  readSource(after?: string): ConnectionSource {
    return {
      acquire: () => this.#route(after),
      withConnection: <T>(fn: (c: Connection) => Promise<T>): Promise<T> => withAcquired(() => this.#route(after), fn),
      transactionPooling: this.primary.transactionPooling,
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#replicas.map((r) => r.pool.end()));
  }

  async #route(after: string | undefined): Promise<Connection> {
    if (this.#unknown === 0 && !this.#lost) {
      const required = after !== undefined && compareLsn(after, this.#required) > 0 ? after : this.#required;
      const epoch = this.#epoch;
      for (let i = 0; i < this.#replicas.length; i++) {
        const replica = this.#replicas[(this.#next + i) % this.#replicas.length] as Replica;
        if (replica.skippedUntil > Date.now()) continue;
        const connection = await this.#caughtUp(replica, required);
        if (!connection) continue;
        this.#next = (this.#next + i + 1) % this.#replicas.length;
        this.#replicaReads++;
        const mark: ReplicaMark = { replica: replica.name, behind: () => this.#epoch !== epoch };
        connection.replica = mark;
        return connection;
      }
    }
    this.#primaryReads++;
    return this.primary.acquire();
  }

  /** A connection to `replica` once it has replayed `required` (within `waitMs`), or undefined. */
  async #caughtUp(replica: Replica, required: string): Promise<Connection | undefined> {
    let connection: Connection | undefined;
    try {
      connection = await replica.pool.acquire();
      const deadline = performance.now() + this.routing.waitMs;
      for (;;) {
        const [row] = (await connection.queryArrays(REPLICA_STATE, [required])).rows;
        const [caughtUp, lagMs, inRecovery] = row ?? [];
        if (inRecovery !== true || (lagMs as number) > this.routing.maxLagMs) {
          this.#skip(replica, inRecovery !== true ? 'it is not in recovery (promoted, or not a replica)' : `it lags ${Math.round(lagMs as number)} ms`);
          connection.release();
          return undefined;
        }
        if (caughtUp === true) return connection;
        if (performance.now() >= deadline) {
          connection.release();
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } catch (e) {
      connection?.release(true);
      this.#skip(replica, `it failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  #skip(replica: Replica, why: string): void {
    replica.skippedUntil = Date.now() + SKIP_MS;
    const { log } = this.telemetry;
    if (log.enabled('warn')) log.write('warn', { event: 'replica-skipped', replica: replica.name, reason: why }, `cellar: replica ${replica.name} skipped for ${SKIP_MS} ms: ${why}`);
  }

  async #primaryPosition(): Promise<void> {
    this.#raise(await this.primary.withConnection(async (c) => (await c.queryArrays(CURRENT_LSN, [])).rows[0]?.[0] as string));
  }

  /** A commit ended at `lsn`: later than any position lost before it (it happened after them). */
  #raise(lsn: string): void {
    if (compareLsn(lsn, this.#required) > 0) this.#required = lsn;
    this.#lost = false;
  }

  /** Reads go to the primary while `position` is pending; a failure leaves them there until a later position is known. */
  #track(position: Promise<void>): void {
    this.#unknown++;
    position.then(
      () => this.#unknown--,
      () => {
        this.#lost = true;
        this.#unknown--;
      },
    );
  }
}

/** Orders two `pg_lsn` texts ('16/B374D848'). */
export function compareLsn(a: string, b: string): number {
  const value = (t: string): bigint => {
    const [hi, lo] = t.split('/');
    return (BigInt(`0x${hi ?? '0'}`) << 32n) + BigInt(`0x${lo ?? '0'}`);
  };
  const d = value(a) - value(b);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}
