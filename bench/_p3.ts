import { Database } from '../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot], cellLimit: 5_000_000 });
for (let k = 0; k < 15; k++) {
  const t0 = performance.now();
  await db.transaction((s) => s.query(BenchDoc).batchIn(BenchLine, BenchLot).all());
  if (k % 3 === 0) console.log((performance.now() - t0).toFixed(0));
}
await db.close();
