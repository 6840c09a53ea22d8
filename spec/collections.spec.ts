import { expect } from 'chai';
import { type Database, type Rop, ValidationError, UsageError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { Doc, DocLine, Lot, allEntities } from './support/model.js';
import { openFreshDatabase, plainClient } from './support/test-database.js';

describe('collections: byParent and refreshByParent (DESIGN rules 1 and 2)', () => {
  let db: Database;
  let docId: bigint;
  let otherDocId: bigint;

  before(async () => {
    db = await openFreshDatabase(allEntities);
  });
  after(() => db.close());

  beforeEach(async () => {
    [docId, otherDocId] = await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'C-1', docDate: '2026-11-21' });
      const other = await s.api(Doc).insert({ docNumber: 'C-2', docDate: '2026-11-21' });
      for (let i = 1; i <= 3; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: BigInt(i), qty: '1' });
      return [doc.id, other.id];
    });
  });

  // Collections come back in id order; compare by nOrder, which the specs choose.
  const orders = (rops: Rop<typeof DocLine>[]): number[] => rops.map((r) => r.get('nOrder')).sort((a, b) => a - b);

  it('the first byParent reads once; later calls issue no statement', async () => {
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).load(docId);
      const before = s.stats.statements;
      const lines = await s.api(DocLine).byParent(doc);
      expect(s.stats.statements - before).to.equal(1);
      expect(orders(lines)).to.deep.equal([1, 2, 3]);
      const again = await s.api(DocLine).byParent(doc);
      expect(s.stats.statements - before).to.equal(1);
      expect(again[0]).to.equal(lines[0]);
    });
  });

  it('reflects inserts, deletes and moves between parents at once, without statements', async () => {
    await db.transaction(async (s) => {
      const [doc, other] = await s.api(Doc).loadMany([docId, otherDocId]);
      const lines = s.api(DocLine);
      const current = await lines.byParent(doc!);
      expect(await lines.byParent(other!)).to.deep.equal([]);
      const before = s.stats.statements;
      await lines.insertByParent(doc!, { nOrder: 4, idItem: 4n, qty: '1' });
      lines.delete(current[0]!); // marks at once, like set(): its lots are found at flush
      current[1]!.set('idDoc', otherDocId);
      expect(orders(await lines.byParent(doc!))).to.deep.equal([3, 4]);
      expect(orders(await lines.byParent(other!))).to.deep.equal([2]);
      // nothing until the flush: the insert's id comes from the Database's pool, filled by the fixture's inserts
      expect(s.stats.statements - before).to.equal(0);
    });
  });

  it('a parent inserted in this session has a known-empty collection: no statement', async () => {
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'new', docDate: '2026-11-21' });
      await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: 1n, qty: '1' });
      const before = s.stats.statements;
      expect(orders(await s.api(DocLine).byParent(doc))).to.deep.equal([1]);
      expect(s.stats.statements - before).to.equal(0);
    });
  });

  it('byParent does not see rows written behind its back; refreshByParent does, and keeps the session changes', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).load(docId);
    const lines = s.api(DocLine);
    const [first, second] = await lines.byParent(doc);
    first!.set('qty', '42');                                   // changed in this session
    await lines.delete(second!);                               // deleted in this session
    await lines.insertByParent(doc, { nOrder: 9, idItem: 9n, qty: '1' }); // new in this session
    const other = await plainClient();
    await other.query(`insert into doc_line (id, id_doc, n_order, id_item, qty) values (nextval('doc_line_id_seq'), $1, 5, 5, 5)`, [String(docId)]);
    await other.query('update doc_line set qty = 7 where id = $1', [String(first!.id)]);
    await other.end();

    expect(orders(await lines.byParent(doc))).to.deep.equal([1, 3, 9]);
    const before = s.stats.statements;
    const refreshed = await lines.refreshByParent(doc);
    expect(s.stats.statements - before).to.equal(1);
    expect(orders(refreshed)).to.deep.equal([1, 3, 5, 9]);
    expect(first!.get('qty')).to.equal('42.000');
    await lines.refreshByParent(doc);
    expect(s.stats.statements - before).to.equal(2);
    expect(orders(await lines.byParent(doc))).to.deep.equal([1, 3, 5, 9]);
    await s.close();
  });

  it('refreshByParent drops a clean row that another transaction moved away', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).load(docId);
    const lines = await s.api(DocLine).byParent(doc);
    const other = await plainClient();
    await other.query('update doc_line set id_doc = $1 where id = $2', [String(otherDocId), String(lines[0]!.id)]);
    await other.end();
    expect(orders(await s.api(DocLine).refreshByParent(doc))).to.deep.equal([2, 3]);
    await s.close();
  });

  it('nested collections: lots of a line', async () => {
    await db.transaction(async (s) => {
      const [line] = await s.api(DocLine).byParent(await s.api(Doc).load(docId));
      await s.api(Lot).insertByParent(line!, { lotCode: 'L1', qty: '1' });
      await s.flush();
      expect((await s.api(Lot).byParent(line!)).map((l) => l.get('lotCode'))).to.deep.equal(['L1']);
    });
  });

  it('childrenOf: a loaded collection synchronously, with no statement; USAGE for one not loaded, and nothing read', async () => {
    await db.transaction(async (s) => {
      const lines = s.api(DocLine);
      const [doc, other] = await s.query(Doc).where({ id: { in: [docId, otherDocId] } }).orderBy('id').batchIn(DocLine).all();
      const before = s.stats.statements;
      expect(orders(lines.childrenOf(doc!))).to.deep.equal([1, 2, 3]);
      expect(lines.childrenOf(other!)).to.deep.equal([]);
      expect(lines.childrenOf(doc!)).to.deep.equal(await lines.byParent(doc!)); // the same rops as byParent
      // It follows the session's changes, as byParent does.
      const added = await lines.insertByParent(doc!, { nOrder: 4, idItem: 4n, qty: '1' });
      lines.delete(lines.childrenOf(doc!).find((l) => l.get('nOrder') === 1)!);
      expect(orders(lines.childrenOf(doc!))).to.deep.equal([2, 3, 4]);
      expect(() => lines.childrenOf(added)).to.throw(UsageError, "DocLine's parent"); // a parent of the wrong entity
      // A line inserted in this session has a known-empty collection of lots; a loaded line's lots were never read.
      expect(s.api(Lot).childrenOf(added)).to.deep.equal([]);
      const line = lines.childrenOf(doc!).find((l) => !l.isNew())!;
      expect(() => s.api(Lot).childrenOf(line)).to.throw(UsageError, /not loaded in this session; await byParent/);
      expect(s.stats.statements - before).to.equal(0);
    });
  });

  it('refuses a parent of the wrong entity', async () => {
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).load(docId);
      const error = await expectRejection(s.api(Lot).byParent(doc), UsageError); // misuse, not a bad value
      expect(error.message).to.contain("Lot's parent").and.contain('expected a DocLine, got a Doc');
    });
  });

  it('insertByParent refuses a parent-ref value that contradicts the parent', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).load(docId);
    const error = await s.api(DocLine).insertByParent(doc, { idDoc: otherDocId, nOrder: 1, idItem: 1n, qty: '1' } as never).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.contain('contradicts the parent');
    const same = await s.api(DocLine).insertByParent(doc, { idDoc: docId, nOrder: 2, idItem: 1n, qty: '1' } as never);
    expect(same.get('idDoc')).to.equal(docId);
    await s.close();
  });
});
