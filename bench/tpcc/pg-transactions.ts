import type pg from 'pg';
import type { CustomerRef, DeliveryInput, NewOrderInput, OrderStatusInput, PaymentInput, StockLevelInput, TpccInput } from './input.js';

/**
 * The five transactions in hand-written node-postgres, as a competent engineer writes them: named
 * (prepared) statements, reads folded into joins, `UPDATE … RETURNING` instead of read-then-write,
 * `FOR UPDATE` where a value is read and then written, unnest arrays for the lines.
 */

/** A client that counts the statements it sends (BEGIN/COMMIT/ROLLBACK excluded). */
export interface CountingClient {
  readonly client: pg.PoolClient;
  statements: number;
}

async function q(c: CountingClient, name: string, text: string, values: unknown[]): Promise<pg.QueryResult> {
  c.statements++;
  return c.client.query({ name, text, values });
}

/** Thrown for the 1% of New-Orders with an unused item: the terminal rolls back (clause 2.4.2.3). */
export class RollbackRequested extends Error {}

const cents = (decimal: string): number => Math.round(Number(decimal) * 100);
const money = (c: number): string => (c / 100).toFixed(2);

async function newOrder(c: CountingClient, t: NewOrderInput, now: string): Promise<void> {
  const head = await q(c, 'no_cw', 'SELECT c_discount, c_last, c_credit, w_tax FROM tpcc.customer, tpcc.warehouse WHERE w_id = $1 AND c_w_id = w_id AND c_d_id = $2 AND c_id = $3', [t.w, t.d, t.c]);
  const d = await q(c, 'no_d', 'UPDATE tpcc.district SET d_next_o_id = d_next_o_id + 1 WHERE d_w_id = $1 AND d_id = $2 RETURNING d_tax, d_next_o_id - 1 AS o_id', [t.w, t.d]);
  const oId = d.rows[0].o_id as number;
  const items = await q(c, 'no_i', 'SELECT i_id, i_price FROM tpcc.item WHERE i_id = ANY($1::int4[])', [t.lines.map((l) => l.itemId)]);
  if (items.rows.length < t.lines.length) throw new RollbackRequested();
  const price = new Map(items.rows.map((r) => [r.i_id as number, r.i_price as string]));
  // Stock rows in key order (no deadlock between orders sharing items); the quantity rule in SQL.
  const sorted = [...t.lines].sort((a, b) => a.supplyWId - b.supplyWId || a.itemId - b.itemId);
  const dist = `s_dist_${String(t.d).padStart(2, '0')}`;
  const stock = await q(
    c,
    `no_s${t.d}`,
    `UPDATE tpcc.stock s SET s_quantity = CASE WHEN s.s_quantity - u.q >= 10 THEN s.s_quantity - u.q ELSE s.s_quantity - u.q + 91 END,
       s_ytd = s.s_ytd + u.q, s_order_cnt = s.s_order_cnt + 1, s_remote_cnt = s.s_remote_cnt + u.r
     FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int4[]) AS u(w, i, q, r) WHERE s.s_w_id = u.w AND s.s_i_id = u.i RETURNING s.s_w_id, s.s_i_id, s.${dist} AS dist`,
    [sorted.map((l) => l.supplyWId), sorted.map((l) => l.itemId), sorted.map((l) => l.quantity), sorted.map((l) => (l.supplyWId === t.w ? 0 : 1))],
  );
  const info = new Map(stock.rows.map((r) => [`${r.s_w_id}/${r.s_i_id}`, r.dist as string]));
  await q(
    c,
    'no_o',
    'WITH o AS (INSERT INTO tpcc.orders VALUES ($1, $2, $3, $4, $5, NULL, $6, $7) RETURNING o_id, o_d_id, o_w_id) INSERT INTO tpcc.new_order SELECT o_id, o_d_id, o_w_id FROM o',
    [oId, t.d, t.w, t.c, now, t.lines.length, t.lines.every((l) => l.supplyWId === t.w) ? 1 : 0],
  );
  const amounts = t.lines.map((l) => money(l.quantity * cents(price.get(l.itemId) as string)));
  await q(
    c,
    'no_ol',
    `INSERT INTO tpcc.order_line SELECT $1, $2, $3, n, i, sw, NULL, qty, amt, di
     FROM unnest($4::int2[], $5::int4[], $6::int4[], $7::int2[], $8::numeric[], $9::text[]) AS u(n, i, sw, qty, amt, di)`,
    [oId, t.d, t.w, t.lines.map((_, n) => n + 1), t.lines.map((l) => l.itemId), t.lines.map((l) => l.supplyWId), t.lines.map((l) => l.quantity), amounts, t.lines.map((l) => info.get(`${l.supplyWId}/${l.itemId}`))],
  );
  void head;
}

async function customerId(c: CountingClient, w: number, d: number, ref: CustomerRef): Promise<number | undefined> {
  if ('id' in ref) return ref.id;
  const r = await q(c, 'c_by_last', 'SELECT c_id FROM tpcc.customer WHERE c_w_id = $1 AND c_d_id = $2 AND c_last = $3 ORDER BY c_first', [w, d, ref.last]);
  return r.rows[Math.ceil(r.rows.length / 2) - 1]?.c_id as number | undefined;
}

async function payment(c: CountingClient, t: PaymentInput, now: string): Promise<void> {
  const amount = money(t.amountCents);
  const w = await q(c, 'p_w', 'UPDATE tpcc.warehouse SET w_ytd = w_ytd + $2 WHERE w_id = $1 RETURNING w_name', [t.w, amount]);
  const d = await q(c, 'p_d', 'UPDATE tpcc.district SET d_ytd = d_ytd + $3 WHERE d_w_id = $1 AND d_id = $2 RETURNING d_name', [t.w, t.d, amount]);
  const cId = await customerId(c, t.cw, t.cd, t.customer);
  if (cId === undefined) throw new Error('no such customer');
  await q(
    c,
    'p_c',
    `UPDATE tpcc.customer SET c_balance = c_balance - $4, c_ytd_payment = c_ytd_payment + $4, c_payment_cnt = c_payment_cnt + 1,
       c_data = CASE WHEN c_credit = 'BC' THEN substr(c_id || ' ' || $2 || ' ' || $1 || ' ' || $4 || ' ' || c_data, 1, 500) ELSE c_data END
     WHERE c_w_id = $1 AND c_d_id = $2 AND c_id = $3`,
    [t.cw, t.cd, cId, amount],
  );
  await q(c, 'p_h', 'INSERT INTO tpcc.history VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [cId, t.cd, t.cw, t.d, t.w, now, amount, `${w.rows[0].w_name}    ${d.rows[0].d_name}`.slice(0, 24)]);
}

async function orderStatus(c: CountingClient, t: OrderStatusInput): Promise<void> {
  const cId = await customerId(c, t.w, t.d, t.customer);
  await q(c, 'os_c', 'SELECT c_balance, c_first, c_middle, c_last FROM tpcc.customer WHERE c_w_id = $1 AND c_d_id = $2 AND c_id = $3', [t.w, t.d, cId]);
  const o = await q(c, 'os_o', 'SELECT o_id, o_entry_d, o_carrier_id FROM tpcc.orders WHERE o_w_id = $1 AND o_d_id = $2 AND o_c_id = $3 ORDER BY o_id DESC LIMIT 1', [t.w, t.d, cId]);
  if (o.rows.length === 0) return;
  await q(c, 'os_ol', 'SELECT ol_i_id, ol_supply_w_id, ol_quantity, ol_amount, ol_delivery_d FROM tpcc.order_line WHERE ol_w_id = $1 AND ol_d_id = $2 AND ol_o_id = $3', [t.w, t.d, o.rows[0].o_id]);
}

async function delivery(c: CountingClient, t: DeliveryInput, now: string, districts: number): Promise<void> {
  for (let d = 1; d <= districts; d++) {
    const no = await q(
      c,
      'd_no',
      'DELETE FROM tpcc.new_order WHERE (no_w_id, no_d_id, no_o_id) = (SELECT no_w_id, no_d_id, no_o_id FROM tpcc.new_order WHERE no_w_id = $1 AND no_d_id = $2 ORDER BY no_o_id LIMIT 1 FOR UPDATE) RETURNING no_o_id',
      [t.w, d],
    );
    if (no.rows.length === 0) continue;
    const oId = no.rows[0].no_o_id as number;
    const o = await q(c, 'd_o', 'UPDATE tpcc.orders SET o_carrier_id = $4 WHERE o_w_id = $1 AND o_d_id = $2 AND o_id = $3 RETURNING o_c_id', [t.w, d, oId, t.carrierId]);
    const ol = await q(c, 'd_ol', 'WITH u AS (UPDATE tpcc.order_line SET ol_delivery_d = $4 WHERE ol_w_id = $1 AND ol_d_id = $2 AND ol_o_id = $3 RETURNING ol_amount) SELECT coalesce(sum(ol_amount), 0) AS total FROM u', [t.w, d, oId, now]);
    await q(c, 'd_c', 'UPDATE tpcc.customer SET c_balance = c_balance + $4, c_delivery_cnt = c_delivery_cnt + 1 WHERE c_w_id = $1 AND c_d_id = $2 AND c_id = $3', [t.w, d, o.rows[0].o_c_id, ol.rows[0].total]);
  }
}

async function stockLevel(c: CountingClient, t: StockLevelInput): Promise<void> {
  const d = await q(c, 'sl_d', 'SELECT d_next_o_id FROM tpcc.district WHERE d_w_id = $1 AND d_id = $2', [t.w, t.d]);
  const next = d.rows[0].d_next_o_id as number;
  await q(
    c,
    'sl_s',
    `SELECT count(DISTINCT s_i_id) AS low FROM tpcc.order_line, tpcc.stock
     WHERE ol_w_id = $1 AND ol_d_id = $2 AND ol_o_id >= $3 AND ol_o_id < $4 AND s_w_id = $1 AND s_i_id = ol_i_id AND s_quantity < $5`,
    [t.w, t.d, next - 20, next, t.threshold],
  );
}

/** Runs one transaction's statements on `c` (inside the transaction the caller began). */
export function runPg(c: CountingClient, t: TpccInput, now: string, districts: number): Promise<void> {
  switch (t.kind) {
    case 'newOrder':
      return newOrder(c, t, now);
    case 'payment':
      return payment(c, t, now);
    case 'orderStatus':
      return orderStatus(c, t);
    case 'delivery':
      return delivery(c, t, now, districts);
    case 'stockLevel':
      return stockLevel(c, t);
  }
}
