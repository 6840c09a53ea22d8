import { expect } from 'chai';
import { CellLimitError, type Database, UsageError, ValidationError } from '../src/index.js';
import { Doc, DocLine, Lot, allEntities } from './support/model.js';
import { openFreshDatabase, StatementLog } from './support/test-database.js';

describe('object queries and batchIn (DESIGN rule 4)', () => {
  let db: Database;
  const log = new StatementLog();

  before(async () => {
    db = await openFreshDatabase(allEntities, { onStatement: log.listener });
    await db.transaction(async (s) => {
      for (let d = 0; d < 200; d++) {
        const doc = await s.api(Doc).insert({ docNumber: `Q-${String(d).padStart(3, '0')}`, docDate: `2026-0${(d % 9) + 1}-01`, state: d % 4 === 0 ? 'approved' : 'draft', total: d % 10 === 0 ? null : `${d}.50` });
        for (let l = 0; l < 10; l++) {
          const line = await s.api(DocLine).insertByParent(doc, { nOrder: l, idItem: BigInt(l), qty: '1' });
          for (let k = 0; k < 2; k++) await s.api(Lot).insertByParent(line, { lotCode: `${d}-${l}-${k}`, qty: '0.5' });
        }
      }
    }, { cellLimit: 10_000_000 });
  });
  after(() => db.close());

  it('200 docs × 10 lines × 2 lots through batchIn are exactly 3 statements; walking every collection is 0', async () => {
    await db.transaction(async (s) => {
      const before = s.stats.statements;
      const docs = await s.query(Doc).where({ docNumber: { like: 'Q-%' } }).batchIn(DocLine, Lot).all();
      expect(docs).to.have.length(200);
      expect(s.stats.statements - before).to.equal(3);
      let lots = 0;
      for (const doc of docs) {
        for (const line of await s.api(DocLine).byParent(doc)) lots += (await s.api(Lot).byParent(line)).length;
        await s.api(Doc).load(doc.id);
      }
      expect(lots).to.equal(4000);
      expect(s.stats.statements - before).to.equal(3);
    }, { cellLimit: 10_000_000 });
  });

  it('nested classes may be listed in any order; a class that is not a collection is refused before any statement', async () => {
    const s = await db.session({ cellLimit: 10_000_000 });
    await s.query(Doc).limit(5).batchIn(Lot, DocLine).all();
    expect(s.stats.statements).to.equal(3);
    expect(() => s.query(DocLine).batchIn(Doc)).to.throw(UsageError, 'Doc is not a child collection of DocLine');
    expect(s.stats.statements).to.equal(3);
    await s.close();
  });

  it('where operators, whereSql, orderBy, limit, offset, first, count', async () => {
    await db.transaction(async (s) => {
      const q = s.query(Doc).where({ state: 'draft', total: { isNull: false, gte: '100', lt: '110' } });
      expect((await q.orderBy('total', 'desc').all()).map((d) => d.get('total'))).to.deep.equal(['109.50', '107.50', '106.50', '105.50', '103.50', '102.50', '101.50']);
      expect(await q.count()).to.equal(7);
      const page = await s.query(Doc).where({ docNumber: { in: ['Q-001', 'Q-002', 'Q-003', 'Q-004'] } }).orderBy('docNumber').offset(1).limit(2).all();
      expect(page.map((d) => d.get('docNumber'))).to.deep.equal(['Q-002', 'Q-003']);
      const viaSql = await s.query(Doc).whereSql('t.doc_number = {n} or t.doc_number = {m}', { n: 'Q-007', m: 'Q-008' }).where({ state: { ne: 'approved' } }).all();
      expect(viaSql.map((d) => d.get('docNumber')).sort()).to.deep.equal(['Q-007']);
      expect((await s.query(Doc).where({ total: null, docNumber: 'Q-010' }).first())?.get('docNumber')).to.equal('Q-010');
      expect(await s.query(Doc).where({ docNumber: 'missing' }).first()).to.equal(undefined);
    });
  });

  it('results merge with the session: same rop, in-session values win, deleted rows left out', async () => {
    await db.transaction(async (s) => {
      const [first, second] = await s.query(Doc).orderBy('docNumber').limit(2).all();
      first!.set('state', 'approved');
      await s.api(Doc).delete(second!);
      const again = await s.query(Doc).orderBy('docNumber').limit(2).all();
      expect(again).to.have.length(1);
      expect(again[0]).to.equal(first);
      expect(again[0]!.get('state')).to.equal('approved');
      throw new Error('roll back');
    }).catch((e: Error) => expect(e.message).to.equal('roll back'));
  });

  it('checks the cell limit before materializing query results', async () => {
    const s = await db.session({ cellLimit: 500 });
    const error = await s.query(DocLine).limit(100).all().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CellLimitError);
    expect(s.loadedCells).to.equal(0);
    await s.close();
  });

  it('refuses bad filter values and unknown fields before any statement', async () => {
    const s = await db.session();
    expect(() => s.query(Doc).where({ docDate: '2026-02-31' })).to.throw(ValidationError);
    expect(() => s.query(Doc).where({ nope: 1 } as never)).to.throw(/no field "nope"/);
    expect(() => s.query(Doc).limit(-1)).to.throw(ValidationError);
    expect(s.stats.statements).to.equal(0);
    await s.close();
  });

  it('sends filter values as parameters', async () => {
    log.clear();
    await db.transaction((s) => s.query(Doc).where({ docNumber: "x' or '1'='1" }).all());
    const select = log.events.find((e) => e.sql.startsWith('SELECT'));
    expect(select?.sql).to.contain('= $1::text');
    expect(select?.params).to.deep.equal(["x' or '1'='1"]);
  });
});
