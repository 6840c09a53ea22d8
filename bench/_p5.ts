import { Database } from '../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';
const url = 'postgres://postgres@127.0.0.1:5432/test';
let stmt = 0;
const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot], cellLimit: 5_000_000, onStatement: (e) => { if (!e.transactionControl) stmt += e.durationMs; } });
for (let k = 0; k < 12; k++) {
  stmt = 0;
  const t0 = performance.now();
  await db.transaction((s) => s.query(BenchDoc).batchIn(BenchLine, BenchLot).all());
  const total = performance.now() - t0;
  if (k % 2 === 1) console.log('total', total.toFixed(0), 'in statements', stmt.toFixed(0), 'js', (total - stmt).toFixed(0));
}
await db.close();
