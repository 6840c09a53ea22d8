import pg from 'pg';
import { col, Database } from '../src/index.js';
import { type Comparison, median, time } from './harness.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';

const DOCS = 1000;
const LINES_PER_DOC = 20;
const LOTS_PER_LINE = 2;
const KEYS = 10_000;

/** A per-call cost measured without a pg counterpart (there is nothing to compare a cache hit with). */
export interface PerCall {
  readonly name: string;
  readonly nanoseconds: number[];
  readonly bar: number;
}

/** Collections, indexes and object queries against hand-written pg doing the same reads. */
export async function collectionScenarios(url: string, runs: number): Promise<{ comparisons: Comparison[]; perCall: PerCall[] }> {
  const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot], cellLimit: 5_000_000 });
  await db.schema.drop();
  await db.schema.create();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await seed(db);
  await pool.query('VACUUM ANALYZE bench_doc, bench_line, bench_lot');
  const eager: Comparison = { scenario: `batchIn: ${DOCS} docs + ${DOCS * LINES_PER_DOC} lines + ${DOCS * LINES_PER_DOC * LOTS_PER_LINE} lots`, cellarMs: [], pgMs: [], bar: 1.3 };
  const keys: Comparison = { scenario: `queryKeys: ${KEYS} keys of a transactional index`, cellarMs: [], pgMs: [] };
  const byKey: PerCall = { name: 'cached `byKey` (per call)', nanoseconds: [], bar: 1000 };
  const load: PerCall = { name: 'cached `load` (per call)', nanoseconds: [], bar: 1000 };
  try {
    // These reads take a fraction of a second: three times the runs give steadier medians. Round -1
    // warms the JIT for both sides and is not recorded.
    const rounds = runs * 3;
    for (let run = -1; run < rounds; run++) {
      const record = (samples: number[], ms: number): void => void (run >= 0 && samples.push(ms));
      for (const who of run % 2 ? (['pg', 'cellar'] as const) : (['cellar', 'pg'] as const)) {
        if (who === 'cellar') {
          record(eager.cellarMs, await time(() => db.transaction((s) => s.query(BenchDoc).batchIn(BenchLine, BenchLot).all())));
          record(keys.cellarMs, await cellarKeys(db));
        } else {
          record(eager.pgMs, await time(() => pgEager(pool)));
          record(keys.pgMs, await pgKeys(pool));
        }
      }
      if (run < 0 || run >= runs) continue;
      const perCall = await cachedCalls(db);
      byKey.nanoseconds.push(perCall.byKey);
      load.nanoseconds.push(perCall.load);
    }
  } finally {
    await pool.end();
    await db.close();
  }
  return { comparisons: [eager, keys], perCall: [byKey, load] };
}

async function seed(db: Database): Promise<void> {
  await db.transaction(async (s) => {
    for (let d = 0; d < DOCS; d++) {
      const doc = await s.api(BenchDoc).insert({ docNumber: `E-${d}`, docDate: '2026-11-21', total: '0' });
      for (let l = 0; l < LINES_PER_DOC; l++) {
        const line = await s.api(BenchLine).insertByParent(doc, { nOrder: l, idItem: BigInt(d * LINES_PER_DOC + l), qty: '1.000', price: '1.00' });
        for (let k = 0; k < LOTS_PER_LINE; k++) await s.api(BenchLot).insertByParent(line, { lotCode: `${d}-${l}-${k}`, qty: '0.500' });
      }
      if (d % 200 === 199) await s.flush(true);
    }
  });
}

async function pgEager(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const docs = (await client.query('SELECT id, doc_number, doc_date, total FROM bench_doc')).rows;
    const lines = (await client.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id_doc = ANY($1::int8[])', [docs.map((d) => d.id)])).rows;
    const lots = (await client.query('SELECT id, id_line, lot_code, qty FROM bench_lot WHERE id_line = ANY($1::int8[])', [lines.map((l) => l.id)])).rows;
    if (lots.length !== DOCS * LINES_PER_DOC * LOTS_PER_LINE) throw new Error('short load');
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function cellarKeys(db: Database): Promise<number> {
  const s = await db.session();
  try {
    const wanted = Array.from({ length: KEYS }, (_, i) => BigInt(i * 2));
    return await time(() => s.api(BenchLine).index('byItem').queryKeys(wanted));
  } finally {
    await s.close();
  }
}

async function pgKeys(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    const wanted = Array.from({ length: KEYS }, (_, i) => String(i * 2));
    return await time(async () => {
      const r = await client.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id_item = ANY($1::int8[])', [wanted]);
      if (r.rows.length === 0) throw new Error('no rows');
    });
  } finally {
    client.release();
  }
}

/** Average nanoseconds of a cached `byKey` and a cached `load`, over many calls in one session. */
async function cachedCalls(db: Database): Promise<{ byKey: number; load: number }> {
  const s = await db.session();
  try {
    const ids = (await s.select('select id from bench_line order by id limit 1000', {}, { id: col.bigint() })).map((r) => r.id);
    const lines = s.api(BenchLine);
    const byItem = lines.index('byItem');
    const rows = await lines.loadMany(ids);
    const items = rows.map((r) => r.get('idItem'));
    await byItem.queryKeys(items);
    const rounds = 200;
    const before = s.stats.statements;
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) for (const item of items) await byItem.byKey(item);
    const t1 = performance.now();
    for (let r = 0; r < rounds; r++) for (const id of ids) await lines.load(id);
    const t2 = performance.now();
    if (s.stats.statements !== before) throw new Error('a cached call sent a statement');
    const calls = rounds * ids.length;
    return { byKey: ((t1 - t0) * 1e6) / calls, load: ((t2 - t1) * 1e6) / calls };
  } finally {
    await s.close();
  }
}

/** Markdown table of per-call costs. */
export function perCallTable(rows: readonly PerCall[]): string {
  const lines = ['| operation | median ns per call | bar | holds |', '|---|---:|---:|:---:|'];
  for (const r of rows) {
    const m = median(r.nanoseconds);
    lines.push(`| ${r.name} | ${m.toFixed(0)} | < ${r.bar} | ${m < r.bar ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}
