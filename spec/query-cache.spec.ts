import { expect } from 'chai';
import { col, type Database, tableTag } from '../src/index.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { openFreshDatabase, inRolledBackSession } from './support/test-database.js';

describe('db.cache behind object queries and selects (partial issue 6)', () => {
  let db: Database;
  before(async () => {
    db = await openFreshDatabase(allEntities);
    await db.transaction(async (s) => {
      for (let i = 0; i < 5; i++) await s.api(Doc).insert({ docNumber: `QC-${i}`, docDate: '2026-11-21' });
    });
  });
  after(() => db.close());

  const drafts = (s: Awaited<ReturnType<Database['session']>>) => s.query(Doc).where({ docNumber: { like: 'QC-%' } }).orderBy('docNumber').remember({ ttlMs: 60_000 });

  it('a remembered object query is served from the cache in later sessions, as rops of each session', async () => {
    const first = await db.transaction(async (s) => (await drafts(s).all()).map((d) => d.get('docNumber')));
    const second = await db.transaction(async (s) => {
      const before = s.stats.statements;
      const docs = await drafts(s).all();
      expect(s.stats.statements - before).to.equal(0);
      docs[0]!.set('state', 'approved'); // a rop of this session: changing it must not touch the cached rows
      return docs.map((d) => d.get('docNumber'));
    });
    expect(second).to.deep.equal(first);
    expect(first).to.have.length(5);
  });

  it('a commit writing the table invalidates it before commit() returns', async () => {
    await db.transaction((s) => drafts(s).all());
    await db.transaction(async (s) => {
      await s.api(Doc).insert({ docNumber: 'QC-new', docDate: '2026-11-21' });
    });
    const after = await db.transaction(async (s) => {
      const before = s.stats.statements;
      const docs = await drafts(s).all();
      expect(s.stats.statements - before).to.equal(1);
      return docs.map((d) => d.get('state'));
    });
    expect(after).to.include('approved'); // the change committed above is seen, not a stale copy
    expect(after).to.have.length(6);
  });

  it('a transaction that wrote the table reads it from the database and caches nothing', async () => {
    await inRolledBackSession(db, async (s) => {
      await s.api(Doc).insert({ docNumber: 'QC-tx', docDate: '2026-11-21' });
      await s.flush();
      const docs = await drafts(s).all();
      expect(docs.map((d) => d.get('docNumber'))).to.include('QC-tx');
    });
    const names = await db.transaction(async (s) => (await drafts(s).all()).map((d) => d.get('docNumber')));
    expect(names).not.to.include('QC-tx');
  });

  it('select with remember, invalidated through its table tag', async () => {
    const count = (s: Awaited<ReturnType<Database['session']>>) =>
      s.select('select count(*) as n from doc_line', {}, { n: col.int() }, { remember: { ttlMs: 60_000, tags: [tableTag('doc_line')] } });
    expect(await db.transaction(count)).to.deep.equal([{ n: 0 }]);
    const cachedCall = await db.transaction(async (s) => {
      const rows = await count(s);
      expect(s.stats.statements).to.equal(0);
      return rows;
    });
    expect(cachedCall).to.deep.equal([{ n: 0 }]);
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'QC-lines', docDate: '2026-11-21' });
      await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: 1n, qty: '1' });
    });
    expect(await db.transaction(count)).to.deep.equal([{ n: 1 }]);
    expect(db.cache.stats.hits).to.be.greaterThan(0);
  });
});
