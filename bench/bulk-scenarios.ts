import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { BulkProcess, col, Database, defineEntity } from '../src/index.js';
import { type Comparison, median, time } from './harness.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';

const run = promisify(execFile);

/** A status register for the findObjects scenario. */
const BenchStatus = defineEntity({
  name: 'BenchStatus',
  columns: { id: col.id(), idItem: col.bigint(), status: col.text() },
  indexes: { byItem: ['idItem'] },
});

/** One bulk-job measurement: wall time and peak RSS per implementation. */
export interface JobRun {
  readonly rows: number;
  readonly cellar: { ms: number[]; rssMb: number[] };
  readonly pg: { ms: number[]; rssMb: number[] };
}

/** The nightly job at each size, every run in a fresh process (for its own peak RSS). */
export async function bulkJobScenarios(url: string, runs: number, sizes: readonly number[]): Promise<JobRun[]> {
  const out: JobRun[] = [];
  const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot] });
  await db.schema.drop();
  await db.schema.create();
  await db.close();
  for (const rows of sizes) {
    await seedLines(url, rows);
    const result: JobRun = { rows, cellar: { ms: [], rssMb: [] }, pg: { ms: [], rssMb: [] } };
    let tag = 0;
    for (let r = 0; r < runs; r++) {
      for (const impl of r % 2 ? (['pg', 'cellar'] as const) : (['cellar', 'pg'] as const)) {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/bulk-job.ts', url, impl, String(rows), String(++tag)], { maxBuffer: 1 << 20 });
        const { ms, maxRssMb } = JSON.parse(stdout.trim().split('\n').pop() as string) as { ms: number; maxRssMb: number };
        result[impl].ms.push(ms);
        result[impl].rssMb.push(maxRssMb);
      }
    }
    out.push(result);
  }
  return out;
}

export async function seedLines(url: string, rows: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('TRUNCATE bench_lot, bench_line, bench_doc');
    const docs = Math.ceil(rows / 20);
    await client.query(`INSERT INTO bench_doc (id, doc_number, doc_date, total) SELECT g, 'D-' || g, '2026-11-21', 0 FROM generate_series(1, ${docs}) g`);
    await client.query(`INSERT INTO bench_line (id, id_doc, n_order, id_item, qty, price) SELECT g, (g - 1) / 20 + 1, g % 20, g % 1000, 1.5, 10 FROM generate_series(1, ${rows}) g`);
    await client.query(`SELECT setval('bench_doc_id_seq', ${docs + 100}), setval('bench_line_id_seq', ${rows + 100})`);
    await client.query('VACUUM ANALYZE bench_doc, bench_line');
  } finally {
    await client.end();
  }
}

/**
 * findObjects on 100,000 filters, half matching, beside a hand-written unnest join plus writes (one
 * statement for all filters). Run at the default chunk size (5,000 filters per statement) and with
 * one statement for all filters, like the hand-written code.
 */
export async function findObjectsScenario(url: string, runs: number, chunkSize = 5000): Promise<Comparison> {
  const FILTERS = 100_000;
  const db = await Database.open({ url, entities: [BenchStatus], cellLimit: 2_000_000 });
  await db.schema.drop();
  await db.schema.create();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const comparison: Comparison = { scenario: `findObjects: ${FILTERS} filters, half matching (find, insert or update), chunkSize ${chunkSize}`, cellarMs: [], pgMs: [], bar: 1.3 };
  const filters = Array.from({ length: FILTERS }, (_, i) => ({ idItem: BigInt(i), status: i % 4 === 0 ? 'same' : 'changed' }));
  try {
    for (let r = 0; r < runs; r++) {
      for (const who of r % 2 ? (['pg', 'cellar'] as const) : (['cellar', 'pg'] as const)) {
        await pool.query('TRUNCATE bench_status');
        await pool.query(`INSERT INTO bench_status (id, id_item, status) SELECT g + 1, g, 'same' FROM generate_series(0, ${FILTERS - 1}, 2) g`);
        await pool.query(`SELECT setval('bench_status_id_seq', ${FILTERS * 2})`);
        await pool.query('VACUUM ANALYZE bench_status');
        if (who === 'cellar') {
          comparison.cellarMs.push(
            await time(() =>
              db.transaction(async (s) => {
                await new BulkProcess(s).findObjects({ entity: BenchStatus, filters, sqlConditions: 't.id_item = f.id_item', chunkSize }, async (res) => {
                  const rop = await res.getRopOrElseUpdate(() => s.api(BenchStatus).insert({ idItem: res.filter.idItem, status: res.filter.status }));
                  if (rop.get('status') !== res.filter.status) rop.set('status', res.filter.status);
                });
              }),
            ),
          );
        } else comparison.pgMs.push(await time(() => pgFindObjects(pool, filters)));
      }
    }
  } finally {
    await pool.end();
    await db.close();
  }
  return comparison;
}

async function pgFindObjects(pool: pg.Pool, filters: readonly { idItem: bigint; status: string }[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const items = filters.map((f) => String(f.idItem));
    const found = (
      await client.query<{ ord: string; id: string; status: string }>(
        'SELECT f.ord, t.id, t.status FROM unnest($1::int8[]) WITH ORDINALITY AS f(id_item, ord) JOIN bench_status t ON t.id_item = f.id_item ORDER BY f.ord, t.id',
        [items],
      )
    ).rows;
    const byOrd = new Map(found.map((r) => [Number(r.ord) - 1, r]));
    const insertItems: string[] = [];
    const insertStatus: string[] = [];
    const updateIds: string[] = [];
    const updateStatus: string[] = [];
    filters.forEach((f, i) => {
      const row = byOrd.get(i);
      if (!row) {
        insertItems.push(String(f.idItem));
        insertStatus.push(f.status);
      } else if (row.status !== f.status) {
        updateIds.push(row.id);
        updateStatus.push(f.status);
      }
    });
    await client.query(
      "INSERT INTO bench_status (id, id_item, status) SELECT nextval('bench_status_id_seq'), u.id_item, u.status FROM unnest($1::int8[], $2::text[]) AS u(id_item, status)",
      [insertItems, insertStatus],
    );
    await client.query('UPDATE bench_status t SET status = u.status FROM unnest($1::int8[], $2::text[]) AS u(id, status) WHERE t.id = u.id', [updateIds, updateStatus]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** Markdown table of the bulk job runs: wall time and peak RSS, and the flat-memory check. */
export function bulkTable(runs: readonly JobRun[]): string {
  const lines = [
    '| rows | cellar (median ms) | pg (median ms) | cellar / pg | cellar peak RSS (MB) | pg peak RSS (MB) |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) {
    const c = median(r.cellar.ms);
    const p = median(r.pg.ms);
    lines.push(`| ${r.rows.toLocaleString('en-US')} | ${c.toFixed(0)} | ${p.toFixed(0)} | ${(c / p).toFixed(2)} | ${median(r.cellar.rssMb).toFixed(0)} | ${median(r.pg.rssMb).toFixed(0)} |`);
  }
  const small = runs[0];
  const large = runs[runs.length - 1];
  if (small && large && small !== large) {
    const growth = median(large.cellar.rssMb) / median(small.cellar.rssMb);
    const ratio = median(large.cellar.ms) / median(large.pg.ms);
    lines.push('');
    lines.push(`Bars: the ${large.rows.toLocaleString('en-US')}-row job within 1.3× of pg — ${ratio.toFixed(2)} (${ratio <= 1.3 ? 'holds' : '**does not hold**'}); peak RSS under 250 MB — ${median(large.cellar.rssMb).toFixed(0)} MB (${median(large.cellar.rssMb) < 250 ? 'holds' : '**does not hold**'}); RSS at ${large.rows.toLocaleString('en-US')} rows within 1.2× of ${small.rows.toLocaleString('en-US')} rows — ${growth.toFixed(2)} (${growth <= 1.2 ? 'holds' : '**does not hold**'}).`);
  }
  return lines.join('\n');
}
