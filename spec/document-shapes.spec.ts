import { expect } from 'chai';
import type { Database } from '../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from '../bench/model.js';
import { cellarChunkedUpdate, cellarDelete, cellarInsert, cellarLoadGraph, cellarLookups, cellarUpdateLines } from '../bench/documents/cellar-shapes.js';
import type { Workload } from '../bench/documents/workload.js';
import { countRows, openFreshDatabase, queryDb } from './support/test-database.js';

// The bench's six document shapes (bench/documents/cellar-shapes.ts, the very code the bench times),
// at a tenth of a percent of its size: what each costs in statements is a test, not a bench figure.
const W: Workload = { docs: 50, lines: 20, lots: 2, picked: 10, chunked: 1000, chunkSize: 100, lookups: 1000 };

describe('document shapes: statements per shape (the bench code, small)', () => {
  let db: Database;
  let picked: bigint[];

  before(async () => {
    db = await openFreshDatabase([BenchDoc, BenchLine, BenchLot], { cellLimit: 5_000_000 });
  });
  after(() => db.close());

  it('S1: the whole graph in one unit of work — 3 inserts (one per entity) and 7 id refills', async () => {
    expect(await cellarInsert(db, W)).to.equal(10);
    expect(await countRows('bench_doc')).to.equal(50);
    expect(await countRows('bench_line')).to.equal(1000);
    expect(await countRows('bench_lot')).to.equal(2000);
    expect(await countRows('bench_lot l join bench_line i on i.id = l.id_line join bench_doc d on d.id = i.id_doc')).to.equal(2000);
    picked = (await queryDb<{ id: string }>('select id from bench_doc order by id')).filter((_, i) => i % 5 === 0).map((r) => BigInt(r.id));
    expect(picked).to.have.length(10);
  });

  it('S2: documents with batchIn of lines and lots, walked synchronously — 3 statements', async () => {
    const { touched, statements } = await cellarLoadGraph(db, picked);
    expect(statements).to.equal(3);
    expect(touched).to.equal(10 * 4 + 200 * 6 + 400 * 4);
  });

  it('S3: two fields of every line of the documents — 2 reads and 1 update', async () => {
    expect(await cellarUpdateLines(db, picked, 1)).to.equal(3);
    expect(await countRows('bench_line', "qty::text like '%.125' and price::text like '%.75'")).to.equal(200);
  });

  it('S4: chunks of keys by query — the key cursor, then one load and one update per chunk', async () => {
    const statements = await cellarChunkedUpdate(db, W, 1);
    expect(statements).to.equal(3 + 2 * (W.chunked / W.chunkSize));
    expect(await countRows('bench_line', "qty::text like '%.375'")).to.equal(1000);
  });

  it('S5: lookups of cached rows send nothing', async () => {
    const s = await db.session();
    try {
      const ids = (await queryDb<{ id: string }>('select id from bench_line order by id')).map((r) => BigInt(r.id));
      await s.api(BenchLine).loadMany(ids);
      const before = s.stats.statements;
      expect(await cellarLookups(s, ids)).to.be.greaterThan(0);
      expect(s.stats.statements).to.equal(before);
    } finally {
      await s.close();
    }
  });

  it('S6: documents deleted with their lines and lots — 1 read, then 3 deletes by parent key', async () => {
    expect(await cellarDelete(db, picked)).to.equal(4);
    expect(await countRows('bench_doc')).to.equal(40);
    expect(await countRows('bench_line')).to.equal(800);
    expect(await countRows('bench_lot')).to.equal(1600);
    expect(await countRows('bench_line', `id_doc = any('{${picked.join(',')}}')`)).to.equal(0);
  });
});
