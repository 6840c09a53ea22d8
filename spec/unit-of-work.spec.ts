import { expect } from 'chai';
import { col, Database, DetachedError, defineEntity, type Rop } from '../src/index.js';
import { Doc, DocLine, Lot, allEntities } from './support/model.js';
import { countRows, openDatabase, openFreshDatabase, plainClient, StatementLog } from './support/test-database.js';

/** An entity wider than the 31 columns whose changes a bitmask tracks: changes are tracked as index lists. */
const Wide = defineEntity({
  name: 'Wide',
  columns: { id: col.id(), ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, col.text({ nullable: true })])) },
});

describe('unit of work: insert, update, delete, flush, commit', () => {
  let db: Database;
  /** The same tables, each entity's writes in statements of their own (`combineWrites: false`). */
  let separate: Database;
  const log = new StatementLog();

  before(async () => {
    db = await openFreshDatabase([...allEntities, Wide], { onStatement: log.listener });
    separate = await openDatabase([...allEntities, Wide], { onStatement: log.listener, combineWrites: false });
  });
  after(async () => {
    await separate.close();
    await db.close();
  });

  async function seedDoc(lines: number): Promise<bigint> {
    return db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: `S-${lines}`, docDate: '2026-11-21' });
      for (let i = 0; i < lines; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: BigInt(i), qty: '1' });
      return doc.id;
    });
  }

  it('inserts a document with lines in one commit: one statement for both entities, parents first', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'A-1', docDate: '2026-11-21' });
    expect(typeof doc.id).to.equal('bigint');
    expect(doc.get('state')).to.equal('draft');
    for (let i = 1; i <= 3; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: 7n, qty: '2.5' });
    expect(await countRows('doc', `id = ${doc.id}`)).to.equal(0);
    log.clear();
    await s.commit();
    await s.close();
    expect(log.sql).to.have.length(1);
    expect(log.sql[0]).to.match(/^WITH w0 AS \(INSERT INTO "doc" .* FROM unnest\(.*\)\), w1 AS \(INSERT INTO "doc_line" .* FROM unnest\(/);
    expect(await countRows('doc_line', `id_doc = ${doc.id} and qty = 2.500`)).to.equal(3);
  });

  it('with combineWrites: false, one statement per entity, parents first', async () => {
    const s = await separate.session();
    const doc = await s.api(Doc).insert({ docNumber: 'A-2', docDate: '2026-11-21' });
    for (let i = 1; i <= 3; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: 7n, qty: '2.5' });
    log.clear();
    await s.commit();
    await s.close();
    expect(log.sql).to.have.length(2);
    expect(log.sql[0]).to.match(/^INSERT INTO "doc" .* FROM unnest\(/);
    expect(log.sql[1]).to.match(/^INSERT INTO "doc_line" .* FROM unnest\(/);
    expect(await countRows('doc_line', `id_doc = ${doc.id} and qty = 2.500`)).to.equal(3);
  });

  it('flushes 3,000 inserts over three entities in at most 6 statements', async () => {
    const s = await db.session();
    for (let d = 0; d < 20; d++) {
      const doc = await s.api(Doc).insert({ docNumber: `B-${d}`, docDate: '2026-01-01' });
      for (let l = 0; l < 50; l++) {
        const line = await s.api(DocLine).insertByParent(doc, { nOrder: l, idItem: 1n, qty: 1 });
        await s.api(Lot).insertByParent(line, { lotCode: `L${l}`, qty: '1' });
      }
    }
    for (let extra = 0; extra < 980; extra++) {
      const doc = await s.api(Doc).insert({ docNumber: `X-${extra}`, docDate: '2026-01-02' });
      expect(doc.isNew()).to.equal(true);
    }
    // 1,000 docs + 1,000 lines + 1,000 lots
    const before = s.stats.statements;
    await s.flush();
    expect(s.stats.statements - before).to.be.at.most(6);
    expect(s.stats.rowsWritten).to.equal(3000);
    await s.commit();
    await s.close();
    expect(await countRows('lot')).to.equal(1000);
  });

  it('loads 100 ids in one statement; a repeated load issues none', async () => {
    const ids = await db.transaction(async (s) => {
      const docs = await Promise.all(Array.from({ length: 100 }, (_, i) => s.api(Doc).insert({ docNumber: `L-${i}`, docDate: '2026-03-01' })));
      return docs.map((d) => d.id);
    });
    await db.transaction(async (s) => {
      const before = s.stats.statements;
      const docs = await s.api(Doc).loadMany(ids);
      expect(s.stats.statements - before).to.equal(1);
      expect(docs.map((d) => d.id)).to.deep.equal(ids);
      const again = await s.api(Doc).load(ids[42] as bigint);
      expect(again).to.equal(docs[42]);
      await s.api(Doc).loadMany(ids);
      expect(s.stats.statements - before).to.equal(1);
      expect(s.stats.rowsLoaded).to.equal(100);
      expect(s.stats.cacheHits).to.equal(101); // the load, then all 100 ids again
    });
  });

  it('an entity of 41 columns groups its updates by changed column set too, whatever order the fields were set in', async () => {
    const ids = await db.transaction(async (s) => {
      const rows = [];
      for (let i = 0; i < 3; i++) rows.push(await s.api(Wide).insert({ c0: `r${i}` }));
      return rows.map((r) => r.id);
    });
    log.clear();
    await db.transaction(async (s) => {
      // The columns are generated, so the field names are not in the entity's type: plain rops.
      const [a, b, c] = (await s.api(Wide).loadMany(ids)) as Rop[];
      a?.set('c35', 'a35').set('c2', 'a2');
      b?.set('c2', 'b2').set('c35', 'b35').set('c2', 'b2bis');
      c?.set('c39', 'c39');
    });
    // Two column sets, two UPDATEs — the two parts of one combined statement.
    const combined = log.sql.filter((q) => q.includes('UPDATE'));
    expect(combined).to.have.length(1);
    const updates = combined[0]?.match(/UPDATE "wide" t SET [^)]* FROM/g) ?? [];
    expect(updates).to.have.length(2);
    expect(updates.some((q) => /SET "c2" = u\.c0, "c35" = u\.c1 FROM/.test(q))).to.equal(true);
    expect(updates.some((q) => /SET "c39" = u\.c0 FROM/.test(q))).to.equal(true);
    const client = await plainClient();
    const r = await client.query('select c0, c2, c35, c39 from wide where id = any($1::int8[]) order by id', [ids.map(String)]);
    await client.end();
    expect(r.rows).to.deep.equal([
      { c0: 'r0', c2: 'a2', c35: 'a35', c39: null },
      { c0: 'r1', c2: 'b2bis', c35: 'b35', c39: null },
      { c0: 'r2', c2: null, c35: null, c39: 'c39' },
    ]);
  });

  it('updates only the changed columns, grouped by column set, rows sorted by id', async () => {
    const id = await seedDoc(4);
    log.clear();
    // Statements of their own, so that each update's key array can be read from its parameters.
    await separate.transaction(async (s) => {
      const lines = await s.api(DocLine).findMany([]);
      expect(lines).to.deep.equal([]);
      const rows = await s.select('select id from doc_line where id_doc = {id} order by id desc', { id }, { id: col.bigint() });
      const rops = await s.api(DocLine).loadMany(rows.map((r) => r.id));
      rops[0]?.set('qty', '9');
      rops[1]?.set('qty', '8');
      rops[2]?.set('note', 'n').set('qty', '7');
      rops[3]?.set('qty', '1'); // unchanged value: no write
      log.clear();
    });
    const updateEvents = log.events.filter((e) => e.sql.startsWith('UPDATE'));
    const updates = updateEvents.map((e) => e.sql);
    expect(updates).to.have.length(2);
    const idArrays = updateEvents.map((e) => String(e.params[0]).slice(1, -1).split(',').map(BigInt));
    for (const ids of idArrays) expect(ids).to.deep.equal([...ids].sort((a, b) => (a < b ? -1 : 1)));
    expect(idArrays.flat()).to.have.length(3);
    expect(updates.some((q) => /SET "qty" = u\.c0 FROM/.test(q))).to.equal(true);
    expect(updates.some((q) => /SET "qty" = u\.c0, "note" = u\.c1|SET "note" = u\.c0, "qty" = u\.c1/.test(q))).to.equal(true);
    const client = await plainClient();
    const r = await client.query('select qty, note from doc_line where id_doc = $1 order by id desc', [String(id)]);
    await client.end();
    expect(r.rows).to.deep.equal([
      { qty: '9.000', note: null },
      { qty: '8.000', note: null },
      { qty: '7.000', note: 'n' },
      { qty: '1.000', note: null },
    ]);
  });

  it('flush(true) writes, clears the cache and resets the counter; old rops are detached', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'F-1', docDate: '2026-11-21' });
    expect(s.loadedCells).to.equal(5);
    await s.flush(true);
    expect(s.loadedCells).to.equal(0);
    expect(() => doc.get('docNumber')).to.throw(DetachedError).with.property('code', 'DETACHED');
    expect(() => doc.set('docNumber', 'F-2')).to.throw(DetachedError);
    const reloaded = await s.api(Doc).load(doc.id);
    expect(reloaded).not.to.equal(doc);
    expect(reloaded.get('docNumber')).to.equal('F-1');
    await s.rollback();
    await s.close();
    expect(await countRows('doc', `doc_number = 'F-1'`)).to.equal(0);
  });

  it('commit() clears the cache and the session starts a new transaction afterwards', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'C-1', docDate: '2026-11-21' });
    await s.commit();
    expect(() => doc.get('state')).to.throw(DetachedError);
    const again = await s.api(Doc).load(doc.id);
    again.set('state', 'approved');
    await s.commit();
    await s.close();
    expect(await countRows('doc', `id = ${doc.id} and state = 'approved'`)).to.equal(1);
  });

  it('a flush of 20,000 rows × 6 columns succeeds', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'BIG', docDate: '2026-11-21' });
    for (let i = 0; i < 20_000; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: BigInt(i), qty: `${i}.5`, note: `line ${i}` });
    await s.commit();
    await s.close();
    expect(await countRows('doc_line', `id_doc = ${doc.id}`)).to.equal(20_000);
    expect(await countRows('doc_line', `id_doc = ${doc.id} and note = 'line 19999' and qty = 19999.5`)).to.equal(1);
  });

  it('deletes by = ANY, children before parents, and cascades to children not loaded yet by their parents\' keys, unread', async () => {
    const id = await seedDoc(3);
    await db.transaction(async (s) => {
      const line = await s.api(DocLine).load((await s.select('select min(id) as id from doc_line where id_doc = {id}', { id }, { id: col.bigint() }))[0]!.id);
      await s.api(Lot).insertByParent(line, { lotCode: 'x', qty: '1' });
    });
    log.clear();
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).load(id);
      await s.api(Doc).delete(doc);
      expect(doc.exists()).to.equal(false);
      expect(await s.api(Doc).find(id)).to.equal(undefined);
    });
    // Nobody held the lines or lots: they go by the doc's key, grandchildren first, with no read of them;
    // then the doc by id, returning the ids it did not delete (for exact optimistic-lock errors).
    expect(log.sql.map((q) => q.split(' ')[0])).to.deep.equal(['SELECT', 'DELETE', 'DELETE', 'WITH']);
    expect(log.sql[1]).to.match(/^DELETE FROM "lot" t WHERE t\."id_line" IN \(SELECT p1\."id" FROM "doc_line" p1 WHERE p1\."id_doc" = ANY\(\$1::int8\[\]\)\)$/);
    expect(log.sql[2]).to.match(/^DELETE FROM "doc_line" t WHERE t\."id_doc" = ANY\(\$1::int8\[\]\)$/);
    expect(log.sql[3]).to.match(/^WITH w AS \(DELETE FROM "doc" t WHERE t\."id" = ANY\(\$1::int8\[\]\)/);
    expect(await countRows('doc', `id = ${id}`)).to.equal(0);
    expect(await countRows('doc_line', `id_doc = ${id}`)).to.equal(0);
  });

  it('a cascade of 200,000 children and grandchildren nobody holds: four statements, exactly the right rows gone', async () => {
    const [doomed, kept] = await db.transaction(async (s) => [(await s.api(Doc).insert({ docNumber: 'big-1', docDate: '2026-11-21' })).id, (await s.api(Doc).insert({ docNumber: 'big-2', docDate: '2026-11-21' })).id]);
    const client = await plainClient();
    try {
      // Seeded behind the session's back: 100,000 lines of the doomed doc with a lot each, and 10 lines of the other.
      await client.query(`insert into doc_line (id, id_doc, n_order, id_item, qty) select 900000000 + g, $1, g, 1, 1 from generate_series(1, 100000) g`, [String(doomed)]);
      await client.query(`insert into lot (id, id_line, lot_code, qty) select 900000000 + g, 900000000 + g, 'L', 1 from generate_series(1, 100000) g`);
      await client.query(`insert into doc_line (id, id_doc, n_order, id_item, qty) select 950000000 + g, $1, g, 1, 1 from generate_series(1, 10) g`, [String(kept)]);
      await client.query(`insert into lot (id, id_line, lot_code, qty) select 950000000 + g, 950000000 + g, 'K', 1 from generate_series(1, 10) g`);
      const stats = await db.transaction(async (s) => {
        s.api(Doc).delete(await s.api(Doc).load(doomed));
        await s.flush();
        return s.stats;
      });
      expect(stats.statements).to.equal(4); // the load, the lots, the lines, the doc
      expect(stats.rowsWritten).to.equal(200_001);
      expect(await countRows('doc_line', `id_doc = ${doomed}`)).to.equal(0);
      expect(await countRows('lot', "lot_code = 'L'")).to.equal(0);
      expect(await countRows('doc_line', `id_doc = ${kept}`)).to.equal(10);
      expect(await countRows('lot', "lot_code = 'K'")).to.equal(10);
      expect(await countRows('doc', `id in (${doomed}, ${kept})`)).to.equal(1);
    } finally {
      await client.end();
    }
  });

  it('a cascade that takes rows the session holds reads the children, so held and unheld rows are told apart', async () => {
    const id = await seedDoc(3);
    log.clear();
    await db.transaction(async (s) => {
      const doc = await s.api(Doc).load(id);
      const lines = await s.api(DocLine).byParent(doc); // held: the cascade marks them at once
      s.api(Doc).delete(doc);
      expect(lines.every((l) => !l.exists())).to.equal(true);
    });
    expect(log.sql.filter((q) => q.startsWith('DELETE'))).to.deep.equal([]); // no delete by parent key
    expect(await countRows('doc_line', `id_doc = ${id}`)).to.equal(0);
  });

  it('deleting rows inserted in the session writes nothing for them, children included', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'gone', docDate: '2026-11-21' });
    const line = await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: 1n, qty: '1' });
    const before = s.stats.statements;
    await s.api(Doc).delete(doc);
    expect(line.exists()).to.equal(false);
    await s.commit();
    expect(s.stats.statements - before).to.equal(0);
    await s.close();
    expect(await countRows('doc', "doc_number = 'gone'")).to.equal(0);
  });

  it('a cascade finds children flushed earlier, children added in the session, and grandchildren', async () => {
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'tree', docDate: '2026-11-21' });
    const first = await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: 1n, qty: '1' });
    await s.api(Lot).insertByParent(first, { lotCode: 'a', qty: '1' });
    await s.commit();
    const reloaded = await s.api(Doc).load(doc.id);
    await s.api(DocLine).insertByParent(reloaded, { nOrder: 2, idItem: 1n, qty: '1' });
    const before = s.stats.statements;
    s.api(Doc).delete(reloaded); // marks at once, no statement
    expect(s.stats.statements - before).to.equal(0);
    await s.commit(); // lines of the doc, lots of those lines, then the three deletes, children first
    expect(s.stats.statements - before).to.equal(5);
    await s.close();
    expect(await countRows('doc_line', `id_doc = ${doc.id}`)).to.equal(0);
    expect(await countRows('lot', `id_line = ${first.id}`)).to.equal(0);
  });
});
