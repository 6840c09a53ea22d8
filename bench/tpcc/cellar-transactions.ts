import { col, type Rop, type Session } from '../../src/index.js';
import { Customer, District, History, Item, NewOrder, Order, OrderLine, Stock, Warehouse } from '../../spec/support/tpcc-schema.js';
import type { CustomerRef, DeliveryInput, NewOrderInput, OrderStatusInput, PaymentInput, StockLevelInput, TpccInput } from './input.js';
import { RollbackRequested } from './pg-transactions.js';

/**
 * The five transactions through cellar's entity API, written as a domain service would: rows by
 * key, locks where a value is read and then written (correct under READ COMMITTED too), increments
 * for counters and balances, collections by parent; every write batched at commit.
 */

const cents = (decimal: string): number => Math.round(Number(decimal) * 100);
const money = (c: number): string => (c / 100).toFixed(2);
type DistrictNo = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

async function newOrder(s: Session, t: NewOrderInput, now: string): Promise<void> {
  const warehouse = await s.api(Warehouse).load(t.w);
  const district = await s.api(District).load([t.w, t.d]);
  // The order number: taken by the database (UPDATE … RETURNING), so concurrent orders never share one.
  const oId = (await s.api(District).incrementAndGet(district, 'dNextOId', 1)) - 1;
  const customer = await s.api(Customer).load([t.w, t.d, t.c]);
  const items = await s.api(Item).findMany(t.lines.map((l) => l.itemId));
  if (items.some((i) => i === undefined)) throw new RollbackRequested();
  // Locked in key order whatever the order of the lines: orders sharing items queue, never deadlock.
  const stocks = await s.api(Stock).loadMany(t.lines.map((l) => [l.supplyWId, l.itemId] as const), { lock: 'noKeyUpdate' });
  const order = await s.api(Order).insertByParent(customer, { oId, oEntryD: now, oCarrierId: null, oOlCnt: t.lines.length, oAllLocal: t.lines.every((l) => l.supplyWId === t.w) ? 1 : 0 });
  await s.api(NewOrder).insertByParent(order, {});
  const dist = `sDist${t.d as DistrictNo}` as const;
  for (const [n, line] of t.lines.entries()) {
    const stock = stocks[n] as Rop<typeof Stock>;
    const left = stock.get('sQuantity') - line.quantity;
    stock.set('sQuantity', left >= 10 ? left : left + 91).increment('sYtd', line.quantity).increment('sOrderCnt', 1).increment('sRemoteCnt', line.supplyWId === t.w ? 0 : 1);
    await s.api(OrderLine).insertByParent(order, {
      olNumber: n + 1,
      olIId: line.itemId,
      olSupplyWId: line.supplyWId,
      olDeliveryD: null,
      olQuantity: line.quantity,
      olAmount: money(line.quantity * cents((items[n] as Rop<typeof Item>).get('iPrice'))),
      olDistInfo: stock.get(dist),
    });
  }
  void warehouse;
}

async function customerOf(s: Session, w: number, d: number, ref: CustomerRef, lock: boolean): Promise<Rop<typeof Customer>> {
  const options = lock ? ({ lock: 'noKeyUpdate' } as const) : undefined;
  if ('id' in ref) return s.api(Customer).load([w, d, ref.id], options);
  const found = await s.api(Customer).index('byLast').byKey([w, d, ref.last], options);
  const sorted = [...found].sort((a, b) => (a.get('cFirst') < b.get('cFirst') ? -1 : 1));
  const chosen = sorted[Math.ceil(sorted.length / 2) - 1];
  if (!chosen) throw new Error(`no customer ${ref.last}`);
  return chosen;
}

async function payment(s: Session, t: PaymentInput, now: string): Promise<void> {
  const amount = money(t.amountCents);
  const warehouse = (await s.api(Warehouse).load(t.w)).increment('wYtd', amount);
  const district = (await s.api(District).load([t.w, t.d])).increment('dYtd', amount);
  const c = await customerOf(s, t.cw, t.cd, t.customer, true);
  c.increment('cBalance', `-${amount}`).increment('cYtdPayment', amount).increment('cPaymentCnt', 1);
  if (c.get('cCredit') === 'BC') c.set('cData', `${c.get('cId')} ${t.cd} ${t.cw} ${amount} ${c.get('cData')}`.slice(0, 500));
  await s.api(History).insert({ hCId: c.get('cId'), hCDId: t.cd, hCWId: t.cw, hDId: t.d, hWId: t.w, hDate: now, hAmount: amount, hData: `${warehouse.get('wName')}    ${district.get('dName')}`.slice(0, 24) });
}

async function orderStatus(s: Session, t: OrderStatusInput): Promise<void> {
  const c = await customerOf(s, t.w, t.d, t.customer, false);
  const order = await s.query(Order).where({ oWId: t.w, oDId: t.d, oCId: c.get('cId') }).orderBy('oId', 'desc').limit(1).first();
  if (order) await s.api(OrderLine).byParent(order);
}

async function delivery(s: Session, t: DeliveryInput, now: string, districts: number): Promise<void> {
  for (let d = 1; d <= districts; d++) {
    const oldest = await s.query(NewOrder).where({ noWId: t.w, noDId: d }).orderBy('noOId').limit(1).lock('update').first();
    if (!oldest) continue;
    const order = await s.api(Order).load([t.w, d, oldest.get('noOId')]);
    s.api(NewOrder).delete(oldest);
    order.set('oCarrierId', t.carrierId);
    let total = 0;
    for (const line of await s.api(OrderLine).byParent(order)) {
      line.set('olDeliveryD', now);
      total += cents(line.get('olAmount'));
    }
    (await s.api(Customer).load([t.w, d, order.get('oCId')])).increment('cBalance', money(total)).increment('cDeliveryCnt', 1);
  }
}

async function stockLevel(s: Session, t: StockLevelInput): Promise<void> {
  const next = (await s.api(District).load([t.w, t.d])).get('dNextOId');
  const [row] = await s.select(
    `SELECT count(DISTINCT s_i_id) AS low FROM tpcc.order_line, tpcc.stock
     WHERE ol_w_id = {w} AND ol_d_id = {d} AND ol_o_id >= {from} AND ol_o_id < {next} AND s_w_id = {w} AND s_i_id = ol_i_id AND s_quantity < {threshold}`,
    { w: t.w, d: t.d, from: next - 20, next, threshold: t.threshold },
    { low: col.int() },
  );
  void row;
}

/** Runs one transaction in `s` (the caller commits). */
export function runCellar(s: Session, t: TpccInput, now: string, districts: number): Promise<void> {
  switch (t.kind) {
    case 'newOrder':
      return newOrder(s, t, now);
    case 'payment':
      return payment(s, t, now);
    case 'orderStatus':
      return orderStatus(s, t);
    case 'delivery':
      return delivery(s, t, now, districts);
    case 'stockLevel':
      return stockLevel(s, t);
  }
}
