import pg from 'pg';
import { Database } from '../../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from '../model.js';
import { cellarChunkedUpdate, cellarDelete, cellarInsert, cellarLoadGraph, cellarLookups, cellarUpdateLines } from './cellar-shapes.js';
import { CountingClient, pgChunkedUpdate, pgDeleteByIds, pgDeleteByParent, pgInsertCopy, pgInsertUnnest, pgLoadGraph, pgUpdateLines } from './pg-shapes.js';
import { FULL, type Workload } from './workload.js';

// One side's run of the six shapes in a process of its own (its peak RSS is its own):
//   tsx bench/documents/worker.ts <url> <cellar|pg> <round> [docs]
// Prints one JSON line: per shape its wall time, statements and the process's peak RSS so far.

/** What one shape measured in one run. */
export interface ShapeSample {
  readonly ms: number;
  readonly statements: number;
  readonly rssMb: number;
}

const [url, side, roundArg, docsArg] = process.argv.slice(2) as [string, 'cellar' | 'pg', string, string | undefined];
const round = Number(roundArg) * 2;
const w: Workload = docsArg ? { ...FULL, docs: Number(docsArg), picked: Math.floor(Number(docsArg) / 5), chunked: Math.min(FULL.chunked, Number(docsArg) * FULL.lines) } : FULL;
const out: Record<string, ShapeSample> = {};
const peakMb = (): number => process.resourceUsage().maxRSS / 1024;

async function measure(name: string, fn: () => Promise<number>): Promise<void> {
  const started = performance.now();
  const statements = await fn();
  out[name] = { ms: performance.now() - started, statements, rssMb: peakMb() };
}

const admin = new pg.Pool({ connectionString: url, max: 1 });
const reset = (): Promise<unknown> => admin.query('TRUNCATE bench_lot, bench_line, bench_doc');
const analyze = (): Promise<unknown> => admin.query('ANALYZE bench_doc, bench_line, bench_lot');
/** Every fifth document from `offset`: the ones S2, S3 and S6 work on, spread over the table. */
const pick = async (offset: number): Promise<string[]> => (await admin.query('SELECT id FROM bench_doc ORDER BY id')).rows.map((r) => r.id as string).filter((_, i) => i % 5 === offset).slice(0, w.picked);
const lookupIds = async (): Promise<string[]> => (await admin.query('SELECT id FROM bench_line ORDER BY id LIMIT $1', [w.lookups])).rows.map((r) => r.id as string);

try {
  // A first pass warms the JIT (a service runs warm; a cold process would mostly measure compiling
  // the library's code); the second pass is the one reported.
  for (let pass = 0; pass < 2; pass++) {
    await reset();
    if (side === 'cellar') await cellarSide();
    else await pgSide();
  }
  console.log(JSON.stringify(out));
} finally {
  await admin.end();
}

async function cellarSide(): Promise<void> {
  const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot], cellLimit: 5_000_000 });
  try {
    await measure('S1', () => cellarInsert(db, w));
    await analyze();
    const picked = (await pick(0)).map(BigInt);
    await measure('S2', async () => (await cellarLoadGraph(db, picked)).statements);
    await measure('S3', () => cellarUpdateLines(db, picked, round));
    await measure('S4', () => cellarChunkedUpdate(db, w, round));
    const ids = (await lookupIds()).map(BigInt);
    const s = await db.session();
    try {
      await s.api(BenchLine).loadMany(ids);
      await cellarLookups(s, ids); // the first pass warms the JIT
      const ns = await cellarLookups(s, ids);
      out['S5'] = { ms: ns, statements: 0, rssMb: peakMb() };
    } finally {
      await s.close();
    }
    await measure('S6', () => cellarDelete(db, picked));
  } finally {
    await db.close();
  }
}

async function pgSide(): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const c = new CountingClient(await pool.connect());
  const counted = async (fn: () => Promise<unknown>): Promise<number> => {
    const before = c.statements;
    await fn();
    return c.statements - before;
  };
  try {
    await measure('S1 copy', () => counted(() => pgInsertCopy(c, w)));
    await reset();
    await measure('S1', () => counted(() => pgInsertUnnest(c, w)));
    await analyze();
    const picked = await pick(0);
    await measure('S2', () => counted(() => pgLoadGraph(c, picked)));
    await measure('S3', () => counted(() => pgUpdateLines(c, picked, round)));
    await measure('S4', () => counted(() => pgChunkedUpdate(c, w, round)));
    const ids = await lookupIds();
    const rows = (await c.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id = ANY($1::int8[])', [ids])).rows;
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    const lookup = async (id: string): Promise<unknown> => byId.get(id);
    const mapLookups = async (): Promise<number> => {
      const started = performance.now();
      let found = 0;
      for (const id of ids) if ((await lookup(id)) !== undefined) found++;
      if (found !== ids.length) throw new Error('a Map lookup missed');
      return ((performance.now() - started) * 1e6) / ids.length;
    };
    await mapLookups();
    out['S5'] = { ms: await mapLookups(), statements: 0, rssMb: peakMb() };
    // Both deletes on sets of their own (by parent key on the second fifth, by ids on the first).
    const other = await pick(1);
    await measure('S6 by parent', () => counted(() => pgDeleteByParent(c, other)));
    await measure('S6', () => counted(() => pgDeleteByIds(c, picked)));
  } finally {
    c.client.release();
    await pool.end();
  }
}
