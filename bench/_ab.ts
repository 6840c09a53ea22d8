import pg from 'pg';
import { Database } from '../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';
import { median } from './harness.js';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot], cellLimit: 5_000_000 });
const pool = new pg.Pool({ connectionString: url, max: 2 });
async function pgEager() {
  const client = await pool.connect();
  await client.query('BEGIN');
  const docs = (await client.query('SELECT id, doc_number, doc_date, total FROM bench_doc')).rows;
  const lines = (await client.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id_doc = ANY($1::int8[])', [docs.map((d) => d.id)])).rows;
  const lots = (await client.query('SELECT id, id_line, lot_code, qty FROM bench_lot WHERE id_line = ANY($1::int8[])', [lines.map((l) => l.id)])).rows;
  await client.query('COMMIT'); client.release();
  return lots.length;
}
const c: number[] = [], p: number[] = [];
for (let k = 0; k < 24; k++) {
  let t = performance.now(); await db.transaction((s) => s.query(BenchDoc).batchIn(BenchLine, BenchLot).all()); c.push(performance.now() - t);
  t = performance.now(); await pgEager(); p.push(performance.now() - t);
}
console.log('cellar', median(c.slice(4)).toFixed(1), 'pg', median(p.slice(4)).toFixed(1), 'ratio', (median(c.slice(4)) / median(p.slice(4))).toFixed(2));
await db.close(); await pool.end();
