import pg from 'pg';
import { TPCC_DDL, TPCC_DROP } from '../../spec/support/tpcc-schema.js';
import { lastName, lastNameNumber, SCALE } from './input.js';

/**
 * Creates the clause 1.3 schema afresh and loads the scaled initial population (clause 4.3.3) with
 * set-based SQL: a few seconds. W_YTD = 300,000.00, D_YTD = 30,000.00, D_NEXT_O_ID = orders + 1.
 */
export async function loadTpcc(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(TPCC_DROP);
    for (const statement of TPCC_DDL) await c.query(statement);
    const { warehouses: W, districts: D, customersPerDistrict: C, items: I, ordersPerDistrict: O, newOrdersPerDistrict: N, linesPerLoadedOrder: L } = SCALE;
    const names = Array.from({ length: 100 }, (_, n) => lastName(n));
    await c.query(`insert into tpcc.item select i, i, 'item-' || i, (1 + (i * 7919) % 9999) / 100.0, 'data-' || i from generate_series(1, ${I}) i`);
    await c.query(`insert into tpcc.warehouse select w, 'W' || w, 's1', 's2', 'city', 'ST', '123451111', 0.1000, 300000.00 from generate_series(1, ${W}) w`);
    await c.query(`insert into tpcc.district select d, w, 'D' || d, 's1', 's2', 'city', 'ST', '123451111', 0.0500, 30000.00, ${O + 1}
      from generate_series(1, ${W}) w, generate_series(1, ${D}) d`);
    await c.query(
      `insert into tpcc.customer select c, d, w, 'first-' || c, 'OE', ($1::text[])[((c - 1) % 100) + 1], 's1', 's2', 'city', 'ST', '123451111', '0123456789012345',
        '2026-01-01', case when c % 10 = 0 then 'BC' else 'GC' end, 50000.00, 0.2500, -10.00, 10.00, 1, 0, repeat('x', 300)
       from generate_series(1, ${W}) w, generate_series(1, ${D}) d, generate_series(1, ${C}) c`,
      [names],
    );
    void lastNameNumber; // the loaded names follow lastNameNumber(c) = (c - 1) % 100
    await c.query(`insert into tpcc.history select c, d, w, d, w, '2026-01-01', 10.00, 'initial'
      from generate_series(1, ${W}) w, generate_series(1, ${D}) d, generate_series(1, ${C}) c`);
    await c.query(
      `insert into tpcc.stock select i, w, 10 + (i * 31 + w) % 91, ${Array.from({ length: 10 }, (_, k) => `rpad('dist-${k + 1}-' || i, 24, 'x')`).join(', ')}, 0, 0, 0, 'sdata-' || i
       from generate_series(1, ${W}) w, generate_series(1, ${I}) i`,
    );
    await c.query(`insert into tpcc.orders select o, d, w, o, '2026-01-01', case when o <= ${O - N} then 1 + o % 10 end, ${L}, 1
      from generate_series(1, ${W}) w, generate_series(1, ${D}) d, generate_series(1, ${O}) o`);
    await c.query(`insert into tpcc.new_order select o, d, w from generate_series(1, ${W}) w, generate_series(1, ${D}) d, generate_series(${O - N + 1}, ${O}) o`);
    await c.query(`insert into tpcc.order_line select o, d, w, l, 1 + (o * 13 + l * 101) % ${I}, w, case when o <= ${O - N} then timestamp '2026-01-01' end, 5,
        case when o <= ${O - N} then 0 else (1 + (o + l) % 9999) / 100.0 end, rpad('info-' || o, 24, 'x')
      from generate_series(1, ${W}) w, generate_series(1, ${D}) d, generate_series(1, ${O}) o, generate_series(1, ${L}) l`);
    await c.query('analyze');
  } finally {
    await c.end();
  }
}

/** Clause 3.3.2, consistency conditions 1–4: the problems found (empty when all hold). */
export async function checkConsistency(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const checks: [string, string][] = [
      ['1: W_YTD = sum(D_YTD)', 'select w_id from tpcc.warehouse w where w_ytd <> (select sum(d_ytd) from tpcc.district where d_w_id = w_id)'],
      [
        '2: D_NEXT_O_ID - 1 = max(O_ID) = max(NO_O_ID)',
        `select d_w_id, d_id from tpcc.district where d_next_o_id - 1 <> (select max(o_id) from tpcc.orders where o_w_id = d_w_id and o_d_id = d_id)
           or d_next_o_id - 1 <> (select max(no_o_id) from tpcc.new_order where no_w_id = d_w_id and no_d_id = d_id)`,
      ],
      ['3: max(NO_O_ID) - min(NO_O_ID) + 1 = count(NEW-ORDER)', 'select no_w_id, no_d_id from tpcc.new_order group by 1, 2 having max(no_o_id) - min(no_o_id) + 1 <> count(*)'],
      [
        '4: sum(O_OL_CNT) = count(ORDER-LINE)',
        `select o_w_id, o_d_id from tpcc.orders o group by 1, 2
           having sum(o_ol_cnt) <> (select count(*) from tpcc.order_line where ol_w_id = o.o_w_id and ol_d_id = o.o_d_id)`,
      ],
    ];
    const problems: string[] = [];
    for (const [name, sql] of checks) {
      const r = await c.query(sql);
      if (r.rows.length > 0) problems.push(`condition ${name} fails for ${r.rows.length} rows`);
    }
    return problems;
  } finally {
    await c.end();
  }
}
