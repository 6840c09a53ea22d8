import type { Rop, Session } from '../../src/index.js';
import { Customer, District, History, Item, NewOrder, Order, OrderLine, Stock, Warehouse } from './tpcc-schema.js';

/**
 * The five TPC-C transactions (clause 2.4–2.8), every read and write through the entity API: keys
 * as tuples, collections by composite parent keys, a transactional index for customers by last name,
 * HISTORY inserted without a key. Money is kept in cents as integers, then written as decimal text.
 */

const cents = (decimal: string): number => Math.round(Number(decimal) * 100);
const money = (c: number): string => (c / 100).toFixed(2);

/** Clause 2.5.2.2: customers of that last name sorted by first name; the one at position ceil(n/2). */
async function customerByLastName(s: Session, wId: number, dId: number, last: string): Promise<Rop<typeof Customer>> {
  const found = await s.api(Customer).index('byLast').byKey([wId, dId, last]);
  const sorted = [...found].sort((a, b) => (a.get('cFirst') < b.get('cFirst') ? -1 : 1));
  const chosen = sorted[Math.ceil(sorted.length / 2) - 1];
  if (!chosen) throw new Error(`no customer ${last} in district ${wId}/${dId}`);
  return chosen;
}

export interface NewOrderLine {
  readonly itemId: number;
  readonly supplyWId: number;
  readonly quantity: number;
}

/** 2.4 New-Order: returns the order's total in cents (before rounding), or undefined when an item does not exist (the 1% rollback). */
export async function newOrder(s: Session, wId: number, dId: number, cId: number, lines: readonly NewOrderLine[], now: string): Promise<number | undefined> {
  const warehouse = await s.api(Warehouse).load(wId);
  const district = await s.api(District).load([wId, dId]);
  const customer = await s.api(Customer).load([wId, dId, cId]);
  const oId = district.get('dNextOId');
  district.set('dNextOId', oId + 1);
  const items = await s.api(Item).findMany(lines.map((l) => l.itemId));
  if (items.some((i) => i === undefined)) {
    await s.rollback();
    return undefined;
  }
  const stocks = await s.api(Stock).loadMany(lines.map((l) => [l.supplyWId, l.itemId] as const));
  const order = await s.api(Order).insertByParent(customer, {
    oId,
    oEntryD: now,
    oCarrierId: null,
    oOlCnt: lines.length,
    oAllLocal: lines.every((l) => l.supplyWId === wId) ? 1 : 0,
  });
  await s.api(NewOrder).insertByParent(order, {});
  let total = 0;
  for (const [n, line] of lines.entries()) {
    const item = items[n] as Rop<typeof Item>;
    const stock = stocks[n] as Rop<typeof Stock>;
    const quantity = stock.get('sQuantity');
    stock.set('sQuantity', quantity - line.quantity >= 10 ? quantity - line.quantity : quantity - line.quantity + 91);
    stock.set('sYtd', stock.get('sYtd') + line.quantity);
    stock.set('sOrderCnt', stock.get('sOrderCnt') + 1);
    if (line.supplyWId !== wId) stock.set('sRemoteCnt', stock.get('sRemoteCnt') + 1);
    const amount = line.quantity * cents(item.get('iPrice'));
    total += amount;
    await s.api(OrderLine).insertByParent(order, {
      olNumber: n + 1,
      olIId: line.itemId,
      olSupplyWId: line.supplyWId,
      olDeliveryD: null,
      olQuantity: line.quantity,
      olAmount: money(amount),
      olDistInfo: stock.get(`sDist${dId as 1 | 2}`),
    });
  }
  const rate = (1 + Number(warehouse.get('wTax')) + Number(district.get('dTax'))) * (1 - Number(customer.get('cDiscount')));
  return total * rate;
}

/** 2.5 Payment, by customer id or by last name. */
export async function payment(s: Session, wId: number, dId: number, customer: { readonly id: number } | { readonly last: string }, amountCents: number, now: string): Promise<Rop<typeof Customer>> {
  const warehouse = await s.api(Warehouse).load(wId);
  warehouse.set('wYtd', money(cents(warehouse.get('wYtd')) + amountCents));
  const district = await s.api(District).load([wId, dId]);
  district.set('dYtd', money(cents(district.get('dYtd')) + amountCents));
  const c = 'id' in customer ? await s.api(Customer).load([wId, dId, customer.id]) : await customerByLastName(s, wId, dId, customer.last);
  c.set('cBalance', money(cents(c.get('cBalance')) - amountCents));
  c.set('cYtdPayment', money(cents(c.get('cYtdPayment')) + amountCents));
  c.set('cPaymentCnt', c.get('cPaymentCnt') + 1);
  if (c.get('cCredit') === 'BC') c.set('cData', `${c.get('cId')} ${dId} ${wId} ${money(amountCents)} ${c.get('cData')}`.slice(0, 500));
  await s.api(History).insert({
    hCId: c.get('cId'),
    hCDId: dId,
    hCWId: wId,
    hDId: dId,
    hWId: wId,
    hDate: now,
    hAmount: money(amountCents),
    hData: `${warehouse.get('wName')}    ${district.get('dName')}`.slice(0, 24),
  });
  return c;
}

/** 2.6 Order-Status: the customer's last order and its lines. */
export async function orderStatus(s: Session, wId: number, dId: number, customer: { readonly id: number } | { readonly last: string }): Promise<{ order: Rop<typeof Order>; lines: Rop<typeof OrderLine>[] } | undefined> {
  const c = 'id' in customer ? await s.api(Customer).load([wId, dId, customer.id]) : await customerByLastName(s, wId, dId, customer.last);
  const order = await s.query(Order).where({ oWId: wId, oDId: dId, oCId: c.get('cId') }).orderBy('oId', 'desc').limit(1).first();
  if (!order) return undefined;
  return { order, lines: await s.api(OrderLine).byParent(order) };
}

/** 2.7 Delivery: for every district, the oldest undelivered order is delivered. Returns the orders delivered. */
export async function delivery(s: Session, wId: number, districts: number, carrierId: number, now: string): Promise<number> {
  let delivered = 0;
  for (let dId = 1; dId <= districts; dId++) {
    const oldest = await s.query(NewOrder).where({ noWId: wId, noDId: dId }).orderBy('noOId').limit(1).first();
    if (!oldest) continue;
    const order = await s.api(Order).load([wId, dId, oldest.get('noOId')]);
    s.api(NewOrder).delete(oldest);
    order.set('oCarrierId', carrierId);
    let total = 0;
    for (const line of await s.api(OrderLine).byParent(order)) {
      line.set('olDeliveryD', now);
      total += cents(line.get('olAmount'));
    }
    const customer = await s.api(Customer).load([wId, dId, order.get('oCId')]);
    customer.set('cBalance', money(cents(customer.get('cBalance')) + total));
    customer.set('cDeliveryCnt', customer.get('cDeliveryCnt') + 1);
    delivered++;
  }
  return delivered;
}

/** 2.8 Stock-Level: distinct items of the district's last 20 orders whose stock is below `threshold`. */
export async function stockLevel(s: Session, wId: number, dId: number, threshold: number): Promise<number> {
  const district = await s.api(District).load([wId, dId]);
  const next = district.get('dNextOId');
  const lines = await s.query(OrderLine).where({ olWId: wId, olDId: dId, olOId: { gte: next - 20, lt: next } }).all();
  const itemIds = [...new Set(lines.map((l) => l.get('olIId')))];
  const stocks = await s.api(Stock).loadMany(itemIds.map((i) => [wId, i] as const));
  return stocks.filter((st) => st.get('sQuantity') < threshold).length;
}
