import { expect } from 'chai';
import { CellLimitError, col, Database, SessionClosedError, DbError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { countRows, databaseUrl, openFreshDatabase, plainClient, StatementLog } from './support/test-database.js';

describe('session lifecycle, statement counting, cell limit, id pools', () => {
  let db: Database;
  const log = new StatementLog();

  before(async () => {
    db = await openFreshDatabase(allEntities, { onStatement: log.listener, cellLimit: 1000 });
  });
  after(() => db.close());

  async function idleInTransaction(): Promise<number> {
    const client = await plainClient();
    const r = await client.query<{ n: string }>("select count(*) as n from pg_stat_activity where state like 'idle in transaction%' and datname = current_database()");
    await client.end();
    return Number(r.rows[0]?.n);
  }

  it('a session sends nothing until it needs to; BEGIN comes with the first statement and is not counted', async () => {
    log.clear();
    const s = await db.session();
    await s.commit();
    expect(log.events).to.have.length(0);
    await s.api(Doc).find(1n);
    expect(log.events.map((e) => e.sql.split(' ')[0])).to.deep.equal(['BEGIN', 'SELECT']);
    expect(s.stats.statements).to.equal(1);
    await s.commit();
    expect(s.stats.statements).to.equal(1);
    await s.close();
  });

  it('db.transaction commits on success, rolls back on throw, and always releases the connection', async () => {
    const id = await db.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'T-1', docDate: '2026-01-01' })).id);
    expect(await countRows('doc', `id = ${id}`)).to.equal(1);
    const error = await db
      .transaction(async (s) => {
        await s.api(Doc).insert({ docNumber: 'T-2', docDate: '2026-01-01' });
        await s.flush();
        throw new Error('business rule failed');
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).to.equal('business rule failed');
    expect(await countRows('doc', "doc_number = 'T-2'")).to.equal(0);
    expect(await idleInTransaction()).to.equal(0);
  });

  it('a closed session refuses calls with SESSION_CLOSED; close is idempotent and rolls back', async () => {
    const s = await db.session();
    await s.api(Doc).insert({ docNumber: 'closed', docDate: '2026-01-01' });
    await s.flush();
    await s.close();
    await s.close();
    expect(await countRows('doc', "doc_number = 'closed'")).to.equal(0);
    const error = await s.api(Doc).find(1n).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SessionClosedError);
    expect(await idleInTransaction()).to.equal(0);
  });

  it('counts loaded cells (inserted rows included) and refuses past cellLimit before materializing', async () => {
    const ids = await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'cells', docDate: '2026-01-01' });
      const lines = [];
      for (let i = 0; i < 150; i++) lines.push(await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: 1n, qty: '1' }));
      expect(s.loadedCells).to.equal(5 + 150 * 6);
      return lines.map((l) => l.id);
    }, { cellLimit: 1000 });
    const s = await db.session({ cellLimit: 800 });
    await s.api(DocLine).loadMany(ids.slice(0, 100));
    expect(s.loadedCells).to.equal(600);
    const rowsBefore = s.stats.rowsLoaded;
    const error = await s.api(DocLine).loadMany(ids).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CellLimitError);
    const limitError = error as CellLimitError;
    expect(limitError.code).to.equal('CELL_LIMIT');
    expect(limitError.held).to.equal(600);
    expect(limitError.requested).to.equal(300);
    expect(limitError.message).to.contain('flush(true)');
    expect(s.loadedCells).to.equal(600);
    expect(s.stats.rowsLoaded).to.equal(rowsBefore);
    // the already loaded rows are still usable, and flush(true) makes room
    await s.flush(true);
    await s.api(DocLine).loadMany(ids.slice(100));
    expect(s.loadedCells).to.equal(300);
    await s.close();
  });

  /** Another Database over the same tables: its id pools start empty (the pools are per Database). */
  async function freshPools(): Promise<Database> {
    return Database.open({ url: databaseUrl(), entities: allEntities, onStatement: log.listener });
  }

  it('allocates ids in growing pooled blocks: 5,000 inserts cost a handful of statements', async () => {
    const other = await freshPools();
    const s = await other.session({ cellLimit: 1_000_000 });
    log.clear();
    for (let i = 0; i < 5000; i++) await s.api(Doc).insert({ docNumber: `id-${i}`, docDate: '2026-01-01' });
    const allocations = log.sql.filter((q) => q.includes('nextval'));
    await s.rollback();
    await other.close();
    expect(allocations.length).to.equal(3); // 1 + 8 + 64 blocks of 100 ids
  });

  it('id pools belong to the Database: after the first, a transaction inserting three rows pays no id round trip', async () => {
    const other = await freshPools();
    try {
      const statements: number[] = [];
      for (let round = 0; round < 20; round++) {
        await other.transaction(async (s) => {
          for (let i = 0; i < 3; i++) await s.api(Doc).insert({ docNumber: `pool-${round}`, docDate: '2026-01-01' });
          await s.flush();
          statements.push(s.stats.statements);
        });
      }
      // 20 × 3 ids: the first transaction reserves a block of 100, the others only insert.
      expect(statements).to.deep.equal([2, ...new Array(19).fill(1)]);
      expect(await countRows('doc', "doc_number like 'pool-%'")).to.equal(60);
    } finally {
      await other.close();
    }
  });

  it('ids are unique across concurrent sessions', async () => {
    const sessions = await Promise.all([db.session(), db.session(), db.session()]);
    const ids = await Promise.all(
      sessions.map(async (s) => {
        const out: bigint[] = [];
        for (let i = 0; i < 120; i++) out.push((await s.api(Doc).insert({ docNumber: 'u', docDate: '2026-01-01' })).id);
        return out;
      }),
    );
    await Promise.all(sessions.map((s) => s.commit().then(() => s.close())));
    const all = ids.flat();
    expect(new Set(all).size).to.equal(all.length);
    expect(await countRows('doc', "doc_number = 'u'")).to.equal(360);
  });

  it('session.stats reports statements, rows, flushes and flush time', async () => {
    const other = await freshPools();
    const s = await other.session();
    const doc = await s.api(Doc).insert({ docNumber: 'stats', docDate: '2026-01-01' });
    await s.flush();
    doc.set('total', '3');
    await s.flush();
    await s.select('select 1 as one', {}, { one: col.int() });
    const stats = s.stats;
    expect(stats.flushes).to.equal(2);
    expect(stats.rowsWritten).to.equal(2);
    expect(stats.flushTimeMs).to.be.greaterThan(0);
    expect(stats.statements).to.equal(4); // nextval, insert, update, select
    await s.rollback();
    await other.close();
  });

  it('a failed statement leaves no backend idle in transaction once the session is closed', async () => {
    const s = await db.session();
    await expectRejection(s.select('select 1/0 as x', {}, { x: col.int() }), DbError);
    await s.close();
    expect(await idleInTransaction()).to.equal(0);
  });
});
