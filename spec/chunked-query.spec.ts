import { expect } from 'chai';
import { BulkJobError, BulkProcess, type ChunkInfo, col, type Database } from '../src/index.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { countRows, openFreshDatabase, plainClient, StatementLog, throughPooler } from './support/test-database.js';

describe('BulkProcess.chunkedQuery (DESIGN rule 9)', () => {
  let db: Database;
  const log = new StatementLog();
  const LINES = 2500;

  before(async () => {
    db = await openFreshDatabase(allEntities, { onStatement: log.listener });
  });
  after(() => db.close());

  beforeEach(async () => {
    const client = await plainClient();
    await client.query('TRUNCATE lot, doc_line, doc');
    await client.end();
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'B', docDate: '2026-11-21' });
      for (let i = 0; i < LINES; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: BigInt(i % 10), qty: '1' });
    });
  });

  const checkedOut = (): number => db.poolStats.total - db.poolStats.idle;

  it('hands rops over in chunks, each loaded with one statement, with flush(true) per chunk', async () => {
    const s = await db.session();
    const sizes: number[] = [];
    const infos: ChunkInfo[] = [];
    log.clear();
    const result = await new BulkProcess(s).chunkedQuery(DocLine, 1000, 'select id from doc_line', {}, async (rops, info) => {
      sizes.push(rops.length);
      infos.push(info);
      for (const r of rops) r.set('qty', '2');
      await s.flush(true);
    });
    await s.commit();
    await s.close();
    expect(sizes).to.deep.equal([1000, 1000, 500]);
    expect(result).to.include({ chunks: 3, rows: LINES });
    expect(infos.map((i) => i.rowsDone)).to.deep.equal([1000, 2000, 2500]);
    expect(infos[2]?.lastKey).to.equal(result.lastKey);
    const loads = log.sql.filter((q) => q.startsWith('SELECT t."id"'));
    expect(loads).to.have.length(3);
    const updates = log.sql.filter((q) => q.startsWith('UPDATE'));
    expect(updates).to.have.length(3);
    expect(await countRows('doc_line', 'qty = 2')).to.equal(LINES);
  });

  it('the key stream survives commit() per chunk', async () => {
    const s = await db.session();
    let chunks = 0;
    await new BulkProcess(s).chunkedQuery(DocLine, 700, 'select id from doc_line where id_item = any({items})', { items: [1n, 2n, 3n] }, async (rops) => {
      chunks++;
      for (const r of rops) r.set('note', 'done');
      await s.commit();
    });
    await s.close();
    expect(chunks).to.equal(2); // 750 rows
    expect(await countRows('doc_line', "note = 'done'")).to.equal(750);
  });

  it('a handler that throws in chunk 3 stops the job, releases the cursor and its connection; rollback makes the session usable', async () => {
    const s = await db.session();
    log.clear();
    const error = await new BulkProcess(s)
      .chunkedQuery(DocLine, 500, 'select id from doc_line', {}, async (rops, info) => {
        for (const r of rops) r.set('note', `chunk ${info.chunkIndex}`);
        await s.flush(true);
        if (info.chunkIndex === 2) throw new Error('boom');
      })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(BulkJobError);
    const jobError = error as BulkJobError;
    expect(jobError.code).to.equal('BULK_JOB');
    expect(jobError.chunkIndex).to.equal(2);
    expect(jobError.lastCommittedKey).to.equal(undefined);
    expect((jobError.cause as Error).message).to.equal('boom');
    // the key cursor was closed and its connection went back to the pool: only the session's is out
    // (behind a transaction pooler the keys come a page at a time, one autocommit SELECT … LIMIT each)
    expect(log.sql.filter((q) => /^(DECLARE|CLOSE) cellar_keys_/.test(q)).map((q) => q.split(' ')[0])).to.deep.equal(throughPooler ? [] : ['DECLARE', 'CLOSE']);
    if (throughPooler) expect(log.sql.filter((q) => /^SELECT k\.k0 FROM .* ORDER BY k\.k0 LIMIT 50000$/s.test(q))).to.have.length(1);
    expect(checkedOut()).to.equal(1);
    await s.rollback();
    const [row] = await s.select('select count(*) as n from pg_cursors', {}, { n: col.int() });
    expect(row?.n).to.equal(0);
    expect(await countRows('doc_line', 'note is not null')).to.equal(0);
    await s.close();
  });

  it('with commit per chunk, a failure at chunk k keeps earlier chunks; resumeAfter finishes with every row processed once', async () => {
    const s = await db.session();
    const process = (failAt: number | undefined) => async (rops: readonly { get(f: 'nOrder'): number; set(f: 'nOrder', v: number): unknown }[], info: ChunkInfo) => {
      if (info.chunkIndex === failAt) throw new Error('night shift failure');
      for (const r of rops) r.set('nOrder', r.get('nOrder') + 1_000_000);
      await s.commit();
    };
    const error = (await new BulkProcess(s).chunkedQuery(DocLine, 400, 'select id from doc_line', {}, process(3)).catch((e: unknown) => e)) as BulkJobError;
    expect(error.chunkIndex).to.equal(3);
    expect(await countRows('doc_line', 'n_order >= 1000000')).to.equal(1200);
    await s.rollback();
    const result = await new BulkProcess(s).chunkedQuery(DocLine, 400, 'select id from doc_line', {}, process(undefined), { resumeAfter: error.lastCommittedKey as bigint });
    await s.close();
    expect(result.rows).to.equal(LINES - 1200);
    expect(await countRows('doc_line', 'n_order >= 1000000 and n_order < 2000000')).to.equal(LINES);
  });

  it('reports progress with a total when count is asked for, and draws no bar without a TTY', async () => {
    const s = await db.session();
    const seen: ChunkInfo[] = [];
    await new BulkProcess(s).chunkedQuery(DocLine, 1000, 'select id from doc_line', {}, () => s.flush(true), { count: true, progress: true, onProgress: (i) => seen.push(i) });
    await s.close();
    expect(seen.map((i) => [i.chunkIndex, i.rowsDone, i.total])).to.deep.equal([
      [0, 1000, 2500],
      [1, 2000, 2500],
      [2, 2500, 2500],
    ]);
  });

  it("the seed's example: delete rows selected by an array parameter, flush(true) per chunk", async () => {
    const s = await db.session();
    await new BulkProcess(s).chunkedQuery(DocLine, 300, 'select t.id from doc_line t where t.id_item in (select unnest({items}::int8[]))', { items: [4n, 5n] }, async (rops) => {
      for (const rop of rops) if (rop.exists()) await s.api(DocLine).delete(rop);
      await s.flush(true);
    });
    await s.commit();
    await s.close();
    expect(await countRows('doc_line', 'id_item in (4, 5)')).to.equal(0);
    expect(await countRows('doc_line')).to.equal(LINES - 500);
  });

  it('refuses a bad chunk size before any statement', async () => {
    const s = await db.session();
    const error = await new BulkProcess(s).chunkedQuery(DocLine, 0, 'select id from doc_line', {}, () => undefined).catch((e: unknown) => e);
    expect((error as Error).message).to.contain('chunkSize');
    expect(s.stats.statements).to.equal(0);
    await s.close();
  });
});
