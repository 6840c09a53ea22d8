import { expect } from 'chai';
import { BulkProcess, CellLimitError, col, type Database, defineEntity, ValidationError } from '../src/index.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { countRows, openFreshDatabase, StatementLog } from './support/test-database.js';

/** The seed's status register: one status per item. */
const ItemStatus = defineEntity({
  name: 'ItemStatus',
  columns: { id: col.id(), idItem: col.bigint(), status: col.text({ maxLength: 20 }), changedAt: col.date({ nullable: true }) },
  indexes: { byItem: ['idItem'] },
});

/** The seed's inventory: a document with numbered lines. */
const Inventory = defineEntity({ name: 'Inventory', columns: { id: col.id(), title: col.text() } });
const InventoryLine = defineEntity({
  name: 'InventoryLine',
  parent: { entity: Inventory, field: 'idInventory', onDelete: 'cascade' },
  columns: { id: col.id(), idInventory: col.ref(Inventory), nOrder: col.int(), idInvNumb: col.bigint(), nSum: col.decimal({ precision: 18, scale: 2 }), nQtyRemain: col.decimal({ precision: 18, scale: 3 }) },
});

describe('BulkProcess.findObjects (DESIGN rule 10) and the seed examples', () => {
  let db: Database;
  const log = new StatementLog();

  before(async () => {
    db = await openFreshDatabase([...allEntities, ItemStatus, Inventory, InventoryLine], { onStatement: log.listener });
  });
  after(() => db.close());

  it("registers statuses: 1,000 filters (500 existing) → one find statement and exactly 1,000 rows", async () => {
    await db.transaction(async (s) => {
      for (let i = 0; i < 1000; i += 2) await s.api(ItemStatus).insert({ idItem: BigInt(i), status: 'old' });
    });
    const filters = Array.from({ length: 1000 }, (_, i) => ({ idItem: BigInt(i), status: i % 4 === 0 ? 'old' : 'new' }));
    const seen: number[] = [];
    log.clear();
    await db.transaction(async (s) => {
      await new BulkProcess(s).findObjects({ entity: ItemStatus, filters, sqlConditions: 't.id_item = f.id_item' }, async (res) => {
        seen.push(Number(res.filter.idItem));
        const rop = await res.getRopOrElseUpdate(() => s.api(ItemStatus).insert({ idItem: res.filter.idItem, status: res.filter.status }));
        if (rop.get('status') !== res.filter.status) rop.set('status', res.filter.status);
        expect(await res.getRopOrElseUpdate(() => expect.fail('create called twice'))).to.equal(rop);
      });
    });
    const finds = log.sql.filter((q) => q.includes('WITH ORDINALITY'));
    expect(finds).to.have.length(1);
    expect(seen).to.deep.equal(filters.map((_, i) => i));
    expect(await countRows('item_status')).to.equal(1000);
    expect(await countRows('item_status', "status = 'new'")).to.equal(750);
    expect(await countRows('item_status', "status = 'old' and id_item % 4 = 0")).to.equal(250);
  });

  it('gives every match in id order, and one statement per chunk of filters', async () => {
    const docId = await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'F', docDate: '2026-11-21' });
      for (let i = 0; i < 30; i++) await s.api(DocLine).insertByParent(doc, { nOrder: i, idItem: BigInt(i % 3), qty: '1' });
      return doc.id;
    });
    log.clear();
    await db.transaction(async (s) => {
      const results: number[] = [];
      await new BulkProcess(s).findObjects(
        { entity: DocLine, filters: [{ idItem: 0n }, { idItem: 9n }, { idItem: 2n }], sqlConditions: 't.id_item = f.id_item and t.id_doc = {doc}', params: { doc: docId }, chunkSize: 2 },
        (res) => {
          results.push(res.rops.length);
          if (res.rops.length > 0) expect(res.rop).to.equal(res.rops[0]);
          const ids = res.rops.map((r) => r.id);
          expect(ids).to.deep.equal([...ids].sort((a, b) => (a < b ? -1 : 1)));
        },
      );
      expect(results).to.deep.equal([10, 0, 10]);
    });
    expect(log.sql.filter((q) => q.includes('WITH ORDINALITY'))).to.have.length(2);
  });

  it('types filter fields from the entity, else from the values, and refuses what it cannot decide before any SQL', async () => {
    const s = await db.session();
    const bulk = new BulkProcess(s);
    let found = 0;
    await bulk.findObjects({ entity: ItemStatus, filters: [{ code: 'x', n: 1 }, { code: 'y', n: 2.5 }], sqlConditions: 't.status = f.code and f.n > 0' }, (r) => {
      found += r.rops.length;
    });
    expect(found).to.equal(0);
    const before = s.stats.statements;
    const undecidable = await bulk.findObjects({ entity: ItemStatus, filters: [{ other: null }], sqlConditions: 'true' }, () => undefined).catch((e: unknown) => e);
    expect(undecidable).to.be.instanceOf(ValidationError);
    expect((undecidable as Error).message).to.contain('cannot decide the SQL type of filter field "other"');
    const badValue = await bulk.findObjects({ entity: ItemStatus, filters: [{ idItem: 'seven' }], sqlConditions: 't.id_item = f.id_item' }, () => undefined).catch((e: unknown) => e);
    expect(badValue).to.be.instanceOf(ValidationError);
    expect(s.stats.statements).to.equal(before);
    await s.close();
  });

  it('sends only the filter columns sqlConditions reads, still validates the others, and gives one rop for a row several filters match', async () => {
    await db.transaction(async (s) => {
      await s.api(ItemStatus).insert({ idItem: 7001n, status: 'seven' });
    });
    log.clear();
    await db.transaction(async (s) => {
      const got: (bigint | undefined)[] = [];
      const rops: unknown[] = [];
      const filters = [
        { idItem: 7001n, status: 'first' },
        { idItem: 7002n, status: 'none' },
        { idItem: 7001n, status: 'again' },
      ];
      await new BulkProcess(s).findObjects({ entity: ItemStatus, filters, sqlConditions: 't.id_item = f.id_item' }, (res) => {
        got.push(res.rop?.get('idItem'));
        rops.push(res.rop);
      });
      expect(got).to.deep.equal([7001n, undefined, 7001n]);
      expect(rops[0]).to.equal(rops[2]);
      const badUnsent = await new BulkProcess(s)
        .findObjects({ entity: ItemStatus, filters: [{ idItem: 1n, status: 'x'.repeat(21) }], sqlConditions: 't.id_item = f.id_item' }, () => undefined)
        .catch((e: unknown) => e);
      expect(badUnsent).to.be.instanceOf(ValidationError);
    });
    const finds = log.sql.filter((q) => q.includes('WITH ORDINALITY'));
    expect(finds).to.have.length(1);
    expect(finds[0]).to.contain('f("id_item", __ord)');
    // a whole-row reference sends every column
    log.clear();
    await db.transaction(async (s) => {
      await new BulkProcess(s).findObjects({ entity: ItemStatus, filters: [{ idItem: 7001n, status: 'seven' }], sqlConditions: '(t.id_item, t.status) = (f.id_item, f.status) and f is not null' }, (res) => {
        expect(res.rops).to.have.length(1);
      });
    });
    expect(log.sql.find((q) => q.includes('WITH ORDINALITY'))).to.contain('f("id_item", "status", __ord)');
  });

  it("the seed's inventory: insertByParent with flush(true) every 1,000 rows under a small cell limit", async () => {
    const s = await db.session({ cellLimit: 10_000 });
    const inventory = await s.api(Inventory).insert({ title: 'year end' });
    await s.flush();
    const rows = await s.select('select g as id, (g % 97)::numeric * 1.5 as n_sum from generate_series(1, 5000) g', {}, { id: col.bigint(), nSum: col.decimal() });
    let counter = 0;
    let peakCells = 0;
    for (const rv of rows) {
      counter++;
      const parent = await s.api(Inventory).load(inventory.id);
      await s.api(InventoryLine).insertByParent(parent, { nOrder: counter, idInvNumb: rv.id, nSum: rv.nSum, nQtyRemain: 1 });
      peakCells = Math.max(peakCells, s.loadedCells);
      if (counter % 1000 === 0) await s.flush(true);
    }
    await s.flush(true);
    await s.commit();
    await s.close();
    expect(peakCells).to.be.at.most(10_000);
    expect(await countRows('inventory_line', `id_inventory = ${inventory.id}`)).to.equal(5000);
    // without the flush(true) batches, the same job trips the limit
    const greedy = await db.session({ cellLimit: 10_000 });
    const parent = await greedy.api(Inventory).insert({ title: 'greedy' });
    const error = await (async () => {
      for (let i = 0; i < 5000; i++) await greedy.api(InventoryLine).insertByParent(parent, { nOrder: i, idInvNumb: 1n, nSum: '1', nQtyRemain: '1' });
    })().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CellLimitError);
    await greedy.close();
  });
});
