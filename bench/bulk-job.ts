import pg from 'pg';
import { BulkProcess, Database } from '../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';

// One bulk job in a process of its own, so that its peak RSS is its own:
//   tsx bench/bulk-job.ts <url> <cellar|pg> <rows> <tag>
// Prints {"ms": …, "maxRssMb": …}. The table must hold <rows> lines (see bulk-scenarios.ts).
// <tag> differs between runs, so every run writes values the previous run did not: cellar skips
// writes of unchanged values, and the bench must measure the same work on both sides.
const [url, impl, rowsArg, tagArg] = process.argv.slice(2) as [string, 'cellar' | 'pg', string, string];
const rows = Number(rowsArg);
const tag = Number(tagArg);
const newQty = (chunk: number): string => `${(tag * 7 + chunk) % 997}.125`;
const CHUNK = 5000;
const started = performance.now();
const processed = impl === 'cellar' ? await cellarJob() : await pgJob();
if (processed !== rows) throw new Error(`processed ${processed} of ${rows} rows`);
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

async function cellarJob(): Promise<number> {
  const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot] });
  const s = await db.session();
  try {
    const result = await new BulkProcess(s).chunkedQuery(BenchLine, CHUNK, 'select id from bench_line', {}, async (rops, info) => {
      for (const rop of rops) rop.set('qty', newQty(info.chunkIndex));
      await s.flush(true);
    });
    await s.commit();
    return result.rows;
  } finally {
    await s.close();
    await db.close();
  }
}

async function pgJob(): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let done = 0;
  try {
    await client.query('BEGIN');
    await client.query('DECLARE keys NO SCROLL CURSOR FOR SELECT id FROM bench_line');
    for (let chunk = 0; ; chunk++) {
      const ids = (await client.query<{ id: string }>(`FETCH ${CHUNK} FROM keys`)).rows.map((r) => r.id);
      if (ids.length === 0) break;
      const lines = (await client.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id = ANY($1::int8[])', [ids])).rows;
      const qty = lines.map(() => newQty(chunk));
      await client.query('UPDATE bench_line t SET qty = u.qty FROM unnest($1::int8[], $2::numeric[]) AS u(id, qty) WHERE t.id = u.id', [lines.map((l) => l.id), qty]);
      done += lines.length;
    }
    await client.query('CLOSE keys');
    await client.query('COMMIT');
    return done;
  } finally {
    await client.end();
  }
}
