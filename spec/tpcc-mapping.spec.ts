import { expect } from 'chai';
import { Database, type Session, UsageError } from '../src/index.js';
import { Customer, District, History, Item, NewOrder, Order, OrderLine, Stock, TPCC_DDL, TPCC_DROP, TPCC_ENTITIES, Warehouse } from './support/tpcc-schema.js';
import { delivery, newOrder, orderStatus, payment, stockLevel } from './support/tpcc-transactions.js';
import { expectRejection } from './support/expect-rejection.js';
import { databaseUrl, plainClient, queryDb, StatementLog } from './support/test-database.js';

const NOW = '2026-12-01 10:00:00';
const LAST = ['BARBARBAR', 'OUGHTABLE', 'ABLEPRI'];
const CUSTOMERS = 9;
const ITEMS = 20;

async function populate(s: Session): Promise<void> {
  const address = { street1: 'Main', street2: '1', city: 'Town', state: 'CA', zip: '123451111' };
  const w = await s.api(Warehouse).insert({ wId: 1, wName: 'W1', ...address, wTax: '0.1000', wYtd: '300000.00' });
  for (let i = 1; i <= ITEMS; i++) await s.api(Item).insert({ iId: i, iImId: i, iName: `item ${i}`, iPrice: '2.50', iData: 'data' });
  const dists = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`sDist${i + 1}`, `dist-info-${i + 1}`.padEnd(24, '.')]));
  for (let i = 1; i <= ITEMS; i++) await s.api(Stock).insertByParent(w, { sIId: i, sQuantity: 10 + i, ...dists, sYtd: 0, sOrderCnt: 0, sRemoteCnt: 0, sData: 'data' } as never);
  for (let dId = 1; dId <= 2; dId++) {
    const d = await s.api(District).insertByParent(w, { dId, dName: `D${dId}`, ...address, dTax: '0.0500', dYtd: '30000.00', dNextOId: 3 });
    for (let cId = 1; cId <= CUSTOMERS; cId++) {
      const c = await s.api(Customer).insertByParent(d, {
        cId,
        cFirst: `F${cId}`,
        cMiddle: 'OE',
        cLast: LAST[cId % LAST.length] as string,
        ...address,
        cPhone: '0123456789012345',
        cSince: NOW,
        cCredit: cId === 1 ? 'BC' : 'GC',
        cCreditLim: '50000.00',
        cDiscount: '0.1000',
        cBalance: '-10.00',
        cYtdPayment: '10.00',
        cPaymentCnt: 1,
        cDeliveryCnt: 0,
        cData: 'history',
      });
      if (cId > 2) continue;
      // Orders 1 and 2 of the district, by customers 1 and 2; order 2 is not delivered yet.
      const o = await s.api(Order).insertByParent(c, { oId: cId, oEntryD: NOW, oCarrierId: cId === 1 ? 1 : null, oOlCnt: 2, oAllLocal: 1 });
      if (cId === 2) await s.api(NewOrder).insertByParent(o, {});
      for (let n = 1; n <= 2; n++) {
        await s.api(OrderLine).insertByParent(o, { olNumber: n, olIId: n, olSupplyWId: 1, olDeliveryD: null, olQuantity: 5, olAmount: '12.50', olDistInfo: 'x'.repeat(24) });
      }
    }
  }
}

describe('TPC-C (clause 1.3) mapped as it is: composite keys, its names, no surrogate ids', () => {
  let db: Database;
  const log = new StatementLog();
  const run = async <T>(fn: (s: Session) => Promise<T>): Promise<{ result: T; statements: string[] }> => {
    log.clear();
    const result = await db.transaction(fn);
    return { result, statements: log.sql };
  };

  before(async () => {
    const client = await plainClient();
    try {
      await client.query(TPCC_DROP);
      for (const ddl of TPCC_DDL) await client.query(ddl);
    } finally {
      await client.end();
    }
    db = await Database.open({ url: databaseUrl(), entities: TPCC_ENTITIES, verifySchema: true, onStatement: log.listener });
    const { statements } = await run(populate);
    // One INSERT per table, whatever the number of rows and the shape of their keys — all of them in one
    // combined statement (a small flush), parents before children.
    expect(statements).to.have.length(1);
    expect([...(statements[0] as string).matchAll(/INSERT INTO "tpcc"\."(\w+)"/g)].map((m) => m[1]).sort()).to.deep.equal(
      ['customer', 'district', 'item', 'new_order', 'order_line', 'orders', 'stock', 'warehouse'],
    );
  });

  after(async () => {
    await db.close();
    const client = await plainClient();
    await client.query(TPCC_DROP);
    await client.end();
  });

  it('verify() finds the schema exactly as mapped', async () => {
    expect(await db.schema.verify()).to.deep.equal([]);
  });

  it('New-Order: five reads, then three inserts and two updates in one statement, whatever the number of lines', async () => {
    const lines = [3, 4, 5, 6, 7].map((itemId) => ({ itemId, supplyWId: 1, quantity: 2 }));
    const { result, statements } = await run((s) => newOrder(s, 1, 1, 5, lines, NOW));
    expect(result).to.be.closeTo(5 * 2 * 250 * 1.15 * 0.9, 1e-6);
    expect(statements.map((q) => q.split(' ')[0])).to.deep.equal(['SELECT', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'WITH']);
    expect(statements[5]?.match(/INSERT INTO|UPDATE "tpcc"/g)).to.deep.equal(['INSERT INTO', 'INSERT INTO', 'INSERT INTO', 'UPDATE "tpcc"', 'UPDATE "tpcc"']);
    expect(await queryDb('select d_next_o_id from tpcc.district where d_w_id = 1 and d_id = 1')).to.deep.equal([{ d_next_o_id: 4 }]);
    expect(await queryDb('select o_c_id, o_ol_cnt from tpcc.orders where (o_w_id, o_d_id, o_id) = (1, 1, 3)')).to.deep.equal([{ o_c_id: 5, o_ol_cnt: 5 }]);
    expect(await queryDb('select count(*)::int as n from tpcc.order_line where (ol_w_id, ol_d_id, ol_o_id) = (1, 1, 3)')).to.deep.equal([{ n: 5 }]);
    expect(await queryDb('select s_quantity, s_order_cnt from tpcc.stock where s_w_id = 1 and s_i_id = 3')).to.deep.equal([{ s_quantity: 11, s_order_cnt: 1 }]);
  });

  it('New-Order with an unknown item rolls back and writes nothing', async () => {
    const { result } = await run((s) => newOrder(s, 1, 2, 1, [{ itemId: 1, supplyWId: 1, quantity: 1 }, { itemId: 999, supplyWId: 1, quantity: 1 }], NOW));
    expect(result).to.equal(undefined);
    expect(await queryDb('select d_next_o_id from tpcc.district where d_w_id = 1 and d_id = 2')).to.deep.equal([{ d_next_o_id: 3 }]);
  });

  it('Payment by last name: the middle customer of that name, and a HISTORY row without a key', async () => {
    const { result: paid, statements } = await run(async (s) => (await payment(s, 1, 2, { last: LAST[1] as string }, 1234, NOW)).get('cId'));
    // Customers 1, 4, 7 are OUGHTABLE (F1, F4, F7 by first name): the second is chosen.
    expect(paid).to.equal(4);
    expect(statements.flatMap((q) => [...q.matchAll(/INSERT INTO ("\w+"\."\w+")/g)].map((m) => m[1]))).to.deep.equal(['"tpcc"."history"']);
    expect(await queryDb('select c_balance, c_payment_cnt from tpcc.customer where (c_w_id, c_d_id, c_id) = (1, 2, 4)')).to.deep.equal([{ c_balance: '-22.34', c_payment_cnt: 2 }]);
    expect(await queryDb('select w_ytd from tpcc.warehouse')).to.deep.equal([{ w_ytd: '300012.34' }]);
    expect(await queryDb('select h_c_id, h_amount from tpcc.history')).to.deep.equal([{ h_c_id: 4, h_amount: '12.34' }]);
  });

  it('Order-Status: the last order of a customer and its lines through the composite parent key', async () => {
    const { result } = await run(async (s) => {
      const found = await orderStatus(s, 1, 1, { id: 5 });
      return found && { id: found.order.id, lines: found.lines.map((l) => l.id) };
    });
    expect(result).to.deep.equal({ id: [1, 1, 3], lines: [1, 2, 3, 4, 5].map((n) => [1, 1, 3, n]) });
  });

  it('Delivery: the oldest new order of each district delivered, its lines dated, the customer credited', async () => {
    const { result, statements } = await run((s) => delivery(s, 1, 2, 7, NOW));
    expect(result).to.equal(2);
    expect(await queryDb('select no_d_id, no_o_id from tpcc.new_order order by 1, 2')).to.deep.equal([{ no_d_id: 1, no_o_id: 3 }]);
    expect(await queryDb('select o_d_id, o_carrier_id from tpcc.orders where o_id = 2 order by 1')).to.deep.equal([
      { o_d_id: 1, o_carrier_id: 7 },
      { o_d_id: 2, o_carrier_id: 7 },
    ]);
    expect(await queryDb('select count(*)::int as n from tpcc.order_line where ol_o_id = 2 and ol_delivery_d is not null')).to.deep.equal([{ n: 4 }]);
    expect(await queryDb('select c_balance::text, c_delivery_cnt from tpcc.customer where c_w_id = 1 and c_id = 2 order by c_d_id')).to.deep.equal([
      { c_balance: '15.00', c_delivery_cnt: 1 },
      { c_balance: '15.00', c_delivery_cnt: 1 },
    ]);
    // Writes batched across the districts: one UPDATE per table, the three in one combined statement, then one DELETE of new orders.
    const writes = statements.filter((q) => !q.startsWith('SELECT'));
    expect(writes.map((q) => q.match(/UPDATE "tpcc"\."\w+"|DELETE FROM "tpcc"\."\w+"/g))).to.deep.equal([
      ['UPDATE "tpcc"."customer"', 'UPDATE "tpcc"."orders"', 'UPDATE "tpcc"."order_line"'], // in write order: parents first
      ['DELETE FROM "tpcc"."new_order"'],
    ]);
  });

  it('Stock-Level: the distinct items of the last 20 orders below a threshold', async () => {
    const { result } = await run((s) => stockLevel(s, 1, 1, 13));
    const expected = await queryDb<{ n: number }>(
      `select count(distinct s_i_id)::int as n from tpcc.order_line join tpcc.stock on s_w_id = ol_w_id and s_i_id = ol_i_id
       where ol_w_id = 1 and ol_d_id = 1 and ol_o_id >= 4 - 20 and ol_o_id < 4 and s_quantity < 13`,
    );
    expect(result).to.equal(expected[0]?.n);
    expect(result).to.be.greaterThan(0);
  });

  it('an entity without a key is insert-only: reads and changes through the session are refused', async () => {
    await db.transaction(async (s) => {
      expect((await expectRejection(s.query(History).all(), UsageError)).message).to.contain('History has no primary key');
      const row = await s.api(History).insert({ hCId: 1, hCDId: 1, hCWId: 1, hDId: 1, hWId: 1, hDate: NOW, hAmount: '1.00', hData: 'x' });
      row.set('hAmount', '2.00'); // still new: the insert writes the final values
      await s.flush();
      expect(() => row.set('hAmount', '3.00')).to.throw(UsageError, 'cannot be changed once written');
      expect(() => s.api(History).delete(row)).to.throw(UsageError, 'cannot be deleted once written');
      await s.rollback();
    });
  });
});
