import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

/** A real PgBouncer in transaction pooling mode in front of the test server, started by the spec. */
export interface RunningPgBouncer {
  /** `target` with host and port replaced by PgBouncer's. */
  url(target: string): string;
  stop(): Promise<void>;
}

const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

/** Why the PgBouncer specs cannot run here, or undefined when they can. */
export function pgbouncerUnavailable(): string | undefined {
  if (!BINARY) return "pgbouncer is not installed (Debian: apt-get install pgbouncer; .ci/run installs it)";
  if (process.getuid?.() === 0 && !systemUser('postgres')) return 'pgbouncer refuses to run as root and there is no postgres user to run it as';
  return undefined;
}

function systemUser(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}


/**
 * Starts PgBouncer (`pool_mode = transaction`, `serverConnections` server connections per database)
 * forwarding every database to `target`'s server as `target`'s user. Waits (bounded) until it accepts.
 */
export async function startPgBouncer(target: string, serverConnections = 2): Promise<RunningPgBouncer> {
  const u = new URL(target);
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'cellar-pgbouncer-'));
  chmodSync(dir, 0o755); // readable by the postgres user it switches to when started as root
  const credentials = `user=${decodeURIComponent(u.username || 'postgres')}${u.password ? ` password=${decodeURIComponent(u.password)}` : ''}`;
  const config = path.join(dir, 'pgbouncer.ini');
  writeFileSync(
    config,
    [
      '[databases]',
      `* = host=${u.hostname === 'localhost' ? '127.0.0.1' : u.hostname} port=${u.port || 5432} ${credentials}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      `default_pool_size = ${serverConnections}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits',
      'server_reset_query =',
      'log_connections = 0',
      'log_disconnections = 0',
    ].join('\n'),
    { mode: 0o644 },
  );
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', config] : [config];
  const child: ChildProcess = spawn(BINARY as string, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}: ${stderr.slice(-1000)}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not accept on ${port} within 10 s: ${stderr.slice(-1000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url(t: string) {
      const v = new URL(t);
      v.hostname = '127.0.0.1';
      v.port = String(port);
      return v.toString();
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}
