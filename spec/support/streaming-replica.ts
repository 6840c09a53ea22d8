import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import pg from 'pg';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/index.js';

/** A primary and a real streaming replica of it, both on the embedded binaries, started by a spec. */
export interface StreamingPair {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  /** Sets `recovery_min_apply_delay` on the replica (ALTER SYSTEM + reload): commits become visible there that much later. */
  setApplyDelay(ms: number): Promise<void>;
  /** Stops the replica (fast shutdown), or starts it again on the same port. */
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  stop(): Promise<void>;
}

const PRIMARY_SETTINGS = { wal_level: 'replica', max_wal_senders: 4, wal_keep_size: '128MB', fsync: 'off', synchronous_commit: 'on' } as const;


/**
 * Starts a primary, stops it cleanly, copies its data directory, adds `standby.signal` and
 * `primary_conninfo`, and starts both: a hot standby streaming from the primary.
 */
export async function startStreamingPair(): Promise<StreamingPair> {
  const root = mkdtempSync(path.join(tmpdir(), 'cellar-replica-'));
  chmodSync(root, 0o755); // the server's user (postgres, when run as root) must reach the data directories
  const primaryDir = path.join(root, 'primary');
  const replicaDir = path.join(root, 'replica');
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  let primary: EmbeddedServer = await startEmbeddedPostgres({ dataDir: primaryDir, port: primaryPort, settings: PRIMARY_SETTINGS });
  const password = new URL(primary.url).password;
  await primary.stop();
  execFileSync('cp', ['-a', primaryDir, replicaDir]);
  writeFileSync(path.join(replicaDir, 'standby.signal'), '');
  appendFileSync(path.join(replicaDir, 'postgresql.auto.conf'), `\nprimary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres password=${password} application_name=cellar_replica'\n`);
  primary = await startEmbeddedPostgres({ dataDir: primaryDir, port: primaryPort, settings: PRIMARY_SETTINGS });
  const startReplica = (): Promise<EmbeddedServer> => startEmbeddedPostgres({ dataDir: replicaDir, port: replicaPort, settings: { hot_standby: 'on', fsync: 'off' } });
  let replica: EmbeddedServer | undefined = await startReplica();
  const replicaUrl = replica.url;
  const onReplica = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: replicaUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    primaryUrl: primary.url,
    replicaUrl,
    async setApplyDelay(ms) {
      await onReplica(`ALTER SYSTEM SET recovery_min_apply_delay = '${ms}ms'`);
      await onReplica('SELECT pg_reload_conf()');
    },
    async stopReplica() {
      await replica?.stop();
      replica = undefined;
    },
    async startReplica() {
      replica ??= await startReplica();
    },
    async stop() {
      await replica?.stop();
      await primary.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
