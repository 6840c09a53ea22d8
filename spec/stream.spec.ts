import { expect } from 'chai';
import { col, type Database, ValidationError } from '../src/index.js';
import { Doc, allEntities } from './support/model.js';
import { openFreshDatabase } from './support/test-database.js';

describe('streaming selects', () => {
  let db: Database;
  before(async () => {
    db = await openFreshDatabase(allEntities);
  });
  after(() => db.close());

  it('streams 1,000,000 generated rows in flat memory, the heap under 100 MB', async function () {
    this.timeout(120_000);
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'run mocha with --expose-gc (.mocharc.cjs does)').to.be.a('function');
    const s = await db.session();
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    const live: number[] = [];
    let rawPeak = baseline;
    let count = 0;
    let sum = 0n;
    for await (const row of s.stream('select g as id, md5(g::text) as label from generate_series(1, {n}) g', { n: 1_000_000 }, { id: col.bigint(), label: col.text() })) {
      count++;
      sum += row.id;
      if (count % 10_000 === 0) rawPeak = Math.max(rawPeak, process.memoryUsage().heapUsed);
      if (count % 100_000 === 0) {
        gc?.();
        live.push(process.memoryUsage().heapUsed);
      }
    }
    await s.close();
    expect(count).to.equal(1_000_000);
    expect(sum).to.equal(500000500000n);
    const mb = (n: number): string => (n / 2 ** 20).toFixed(1);
    console.log(`      heap: ${mb(baseline)} MB before; live after GC at every 100k rows ${live.map(mb).join(', ')} MB; peak heapUsed without forcing GC ${mb(rawPeak)} MB`);
    expect(Math.max(...live) / 2 ** 20).to.be.below(100);
    expect(rawPeak / 2 ** 20).to.be.below(100);
    // flat: the live heap at 1,000,000 rows is within 10 MB of the one at 100,000
    expect(((live[9] as number) - (live[0] as number)) / 2 ** 20).to.be.below(10);
  });

  it('after an early break the same session runs its next query at once', async () => {
    const s = await db.session();
    let seen = 0;
    for await (const row of s.stream('select g from generate_series(1, 100000) g', {}, { g: col.int() }, { batchSize: 100 })) {
      seen = row.g;
      if (seen === 150) break;
    }
    const started = performance.now();
    const [one] = await s.select('select 1 as one', {}, { one: col.int() });
    expect(performance.now() - started).to.be.below(1000);
    expect(one?.one).to.equal(1);
    expect(seen).to.equal(150);
    // DECLARE, 2 FETCHes, CLOSE, then the select
    expect(s.stats.statements).to.equal(5);
    await s.close();
  });

  it('a throw in the loop closes the cursor and the session stays usable', async () => {
    const s = await db.session();
    const error = await (async () => {
      for await (const row of s.stream('select g from generate_series(1, 1000) g', {}, { g: col.int() })) if (row.g === 10) throw new Error('stop');
    })().catch((e: Error) => e);
    expect((error as Error).message).to.equal('stop');
    const open = await s.select('select count(*) as n from pg_cursors', {}, { n: col.int() });
    expect(open[0]?.n).to.equal(0);
    await s.close();
  });

  it('the session loads rops between rows, and the stream sees what the session flushed', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'stream', docDate: '2026-11-21' });
    const seen: string[] = [];
    for await (const row of s.stream("select id, doc_number from doc where doc_number = 'stream'", {}, { id: col.bigint(), docNumber: col.text() })) {
      const rop = await s.api(Doc).load(row.id); // cache hit
      const fresh = await s.api(Doc).find(row.id + 1_000_000n); // a real statement between batches
      seen.push(`${rop.get('docNumber')}:${fresh === undefined}`);
    }
    expect(seen).to.deep.equal(['stream:true']);
    expect(doc.exists()).to.equal(true);
    await s.rollback();
    await s.close();
  });

  it('a commit inside the loop ends the stream with a clear error, not a broken session', async () => {
    const s = await db.session();
    const error = await (async () => {
      for await (const row of s.stream('select g from generate_series(1, 10) g', {}, { g: col.int() }, { batchSize: 2 })) {
        if (row.g === 2) await s.commit();
      }
    })().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.contain('chunkedQuery');
    const [one] = await s.select('select 1 as one', {}, { one: col.int() });
    expect(one?.one).to.equal(1);
    await s.close();
  });
});
