import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { BulkJobError, BulkProcess, ConnectionLostError, Database, type EmbeddedServer, startEmbeddedPostgres } from '../../src/index.js';
import { expectRejection } from '../support/expect-rejection.js';
import { Doc, DocLine, allEntities } from '../support/model.js';

/** More lines than one FETCH of keys (50,000), in chunks of 10,000. */
const LINES = 60_000;
const CHUNK = 10_000;

/** A private server the spec stops and starts (same data, same port). */
describe('faults: chunkedQuery across a server restart between chunks', function () {
  this.timeout(120_000);
  let root: string;
  let server: EmbeddedServer;
  let db: Database;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cellar-restart-'));
    const { chmodSync } = await import('node:fs');
    chmodSync(root, 0o755); // the server's own directory; as root its user must reach it
    server = await startEmbeddedPostgres({ dataDir: path.join(root, 'data') });
    db = await Database.open({ url: server.url, entities: allEntities });
    await db.schema.create();
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'restart', docDate: '2026-12-01' });
      for (let i = 0; i < LINES; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: 1n, qty: '1' });
    });
  });
  after(async () => {
    await db?.close();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function restart(): Promise<void> {
    const { port, dataDir } = server;
    await server.stop();
    server = await startEmbeddedPostgres({ dataDir, port });
  }

  it('BULK_JOB with the chunk index and the last committed key; rollback() and resumeAfter finish on the same session, every row once', async () => {
    const s = await db.session();
    try {
      const job = (failAt?: number) => async (rops: readonly { get(f: 'nOrder'): number; set(f: 'nOrder', v: number): unknown }[], info: { chunkIndex: number }) => {
        for (const r of rops) r.set('nOrder', r.get('nOrder') + 1_000_000);
        await s.commit();
        if (info.chunkIndex === failAt) await restart(); // between this chunk and the next
      };
      // Keys are fetched ahead 50,000 at a time: the restart after chunk 4 kills the cursor's
      // connection before the FETCH that chunk 5 needs.
      const e = await expectRejection(new BulkProcess(s).chunkedQuery(DocLine, CHUNK, 'select id from doc_line', {}, job(4)), BulkJobError);
      expect(e.chunkIndex).to.equal(5);
      expect(e.cause).to.be.instanceOf(ConnectionLostError);
      expect(e.lastCommittedKey).to.be.a('bigint');
      await s.rollback();
      const result = await new BulkProcess(s).chunkedQuery(DocLine, CHUNK, 'select id from doc_line', {}, job(), { resumeAfter: e.lastCommittedKey as bigint });
      expect(result.rows).to.equal(LINES - 5 * CHUNK);
    } finally {
      await s.close();
    }
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const r = await client.query<{ n: string }>('select count(*) as n from doc_line where n_order >= 1000000 and n_order < 2000000');
    await client.end();
    expect(Number(r.rows[0]?.n)).to.equal(LINES); // every row processed exactly once
  });
});
