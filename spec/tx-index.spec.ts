import { expect } from 'chai';
import { type Database, ValidationError } from '../src/index.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { openFreshDatabase, plainClient } from './support/test-database.js';

describe('transactional indexes: byKey, refreshByKey, queryKeys (DESIGN rules 1–3)', () => {
  let db: Database;
  let docId: bigint;

  before(async () => {
    db = await openFreshDatabase(allEntities);
    docId = await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'I-1', docDate: '2026-11-21' });
      // items 0..29 have two lines each; items 30..59 have none
      for (let i = 0; i < 60; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: BigInt(i % 30), qty: '1' });
      return doc.id;
    });
  });
  after(() => db.close());

  it('queryKeys of 60 keys is one statement; byKey on all 60 afterwards is none, empty keys included', async () => {
    await db.transaction(async (s) => {
      const byItem = s.api(DocLine).index('byItem');
      const keys = Array.from({ length: 60 }, (_, i) => BigInt(i));
      const before = s.stats.statements;
      await byItem.queryKeys(keys);
      expect(s.stats.statements - before).to.equal(1);
      let rows = 0;
      for (const key of keys) rows += (await byItem.byKey(key)).length;
      expect(rows).to.equal(60);
      expect(await byItem.byKey(45n)).to.deep.equal([]);
      expect(s.stats.statements - before).to.equal(1);
      await byItem.queryKeys(keys); // all loaded: nothing to send
      expect(s.stats.statements - before).to.equal(1);
    });
  });

  it('byKey reads a key once and follows set(), inserts and deletes of the session', async () => {
    await db.transaction(async (s) => {
      const lines = s.api(DocLine);
      const byItem = lines.index('byItem');
      const before = s.stats.statements;
      const [a, b] = await byItem.byKey(3n);
      expect((await byItem.byKey(100n)).length).to.equal(0);
      expect(s.stats.statements - before).to.equal(2);
      a!.set('idItem', 100n);
      expect((await byItem.byKey(3n)).map((r) => r.id)).to.deep.equal([b!.id]);
      expect((await byItem.byKey(100n)).map((r) => r.id)).to.deep.equal([a!.id]);
      const doc = await s.api(Doc).load(docId);
      const added = await lines.insertByParent(doc, { nOrder: 99, idItem: 3n, qty: '1' });
      lines.delete(b!); // marks at once; its lots are found at flush
      expect((await byItem.byKey(3n)).map((r) => r.id)).to.deep.equal([added.id]);
      // two key reads, then the doc load (the insert's id comes from the Database's pool, filled by the fixture)
      expect(s.stats.statements - before).to.equal(3);
      throw new Error('roll back');
    }).catch((e: Error) => expect(e.message).to.equal('roll back'));
  });

  it('composite keys: parallel arrays in one statement', async () => {
    await db.transaction(async (s) => {
      const idx = s.api(DocLine).index('byDocItem');
      const before = s.stats.statements;
      await idx.queryKeys([
        [docId, 1n],
        [docId, 2n],
        [docId, 55n],
      ]);
      expect(s.stats.statements - before).to.equal(1);
      expect((await idx.byKey([docId, 1n])).length).to.equal(2);
      expect((await idx.byKey([docId, 55n])).length).to.equal(0);
      expect(s.stats.statements - before).to.equal(1);
    });
  });

  it('refreshByKey always reads, and sees rows written by others', async () => {
    const s = await db.session();
    const byItem = s.api(DocLine).index('byItem');
    expect((await byItem.byKey(7n)).length).to.equal(2);
    const other = await plainClient();
    await other.query(`insert into doc_line (id, id_doc, n_order, id_item, qty) values (nextval('doc_line_id_seq'), $1, 500, 7, 1)`, [String(docId)]);
    await other.end();
    const before = s.stats.statements;
    expect((await byItem.byKey(7n)).length).to.equal(2);
    expect((await byItem.refreshByKey(7n)).length).to.equal(3);
    expect(s.stats.statements - before).to.equal(1);
    await s.close();
  });

  it('refuses bad keys before any statement', async () => {
    const s = await db.session();
    const byItem = s.api(DocLine).index('byItem');
    for (const bad of [null, 'x', 1.5, [1n, 2n]]) {
      const error = await byItem.byKey(bad as never).catch((e: unknown) => e);
      expect(error, String(bad)).to.be.instanceOf(ValidationError);
    }
    expect(() => s.api(DocLine).index('nope' as never)).to.throw(/declares no index "nope"; declared: byItem, byDocItem/);
    expect(s.stats.statements).to.equal(0);
    await s.close();
  });
});
