import pg from 'pg';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const pool = new pg.Pool({ connectionString: url, max: 2 });
for (let k = 0; k < 15; k++) {
  const t0 = performance.now();
  const client = await pool.connect();
  await client.query('BEGIN');
  const docs = (await client.query('SELECT id, doc_number, doc_date, total FROM bench_doc')).rows;
  const lines = (await client.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id_doc = ANY($1::int8[])', [docs.map((d) => d.id)])).rows;
  const lots = (await client.query('SELECT id, id_line, lot_code, qty FROM bench_lot WHERE id_line = ANY($1::int8[])', [lines.map((l) => l.id)])).rows;
  await client.query('COMMIT'); client.release();
  if (k % 3 === 0) console.log((performance.now() - t0).toFixed(0), lots.length);
}
await pool.end();
