import { Writable } from 'node:stream';
import { pino } from 'pino';
import { col, Database, type DatabaseOptions } from '../src/index.js';
import { cellarInsert } from './core-scenarios.js';
import { median, time } from './harness.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';

/** The configurations compared: what an application that configures nothing pays for logs and spans. */
const CONFIGS: readonly { name: string; options: Partial<DatabaseOptions> }[] = [
  { name: 'tracing off, no logger', options: { tracing: false } },
  { name: 'defaults (spans through @opentelemetry/api, no SDK; no logger)', options: {} },
  { name: 'pino at level info (statements are debug: not built)', options: { logger: pino({ level: 'info' }, new Writable({ write: (_c, _e, done) => done() })) } },
];

/**
 * The cost of telemetry when it is not in use: the 100,000-row insert and a cached `load`, under
 * each configuration, interleaved round by round so that drift hits all alike.
 */
export async function telemetryScenarios(url: string, runs: number): Promise<string> {
  const dbs = await Promise.all(CONFIGS.map((c) => Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot], cellLimit: 5_000_000, ...c.options })));
  const [first] = dbs as [Database];
  await first.schema.drop();
  await first.schema.create();
  const insertMs = CONFIGS.map(() => [] as number[]);
  const loadNs = CONFIGS.map(() => [] as number[]);
  try {
    for (let run = 0; run < runs; run++) {
      for (let i = 0; i < dbs.length; i++) {
        const k = (i + run) % dbs.length;
        const db = dbs[k] as Database;
        await db.transaction((s) => s.execute('TRUNCATE bench_lot, bench_line, bench_doc'));
        insertMs[k]?.push(await time(() => cellarInsert(db)));
        loadNs[k]?.push(await cachedLoadNs(db));
      }
    }
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
  }
  const baseInsert = median(insertMs[0] as number[]);
  const baseLoad = median(loadNs[0] as number[]);
  const lines = ['| configuration | insert 100,000 rows (median ms) | vs off | cached `load` (median ns) | vs off |', '|---|---:|---:|---:|---:|'];
  CONFIGS.forEach((c, k) => {
    const ins = median(insertMs[k] as number[]);
    const load = median(loadNs[k] as number[]);
    lines.push(`| ${c.name} | ${ins.toFixed(1)} | ${(ins / baseInsert).toFixed(2)} | ${load.toFixed(0)} | ${(load / baseLoad).toFixed(2)} |`);
  });
  return lines.join('\n');
}

/** Average nanoseconds of a `load` answered by the transaction cache (1,000 rows, 200 rounds). */
async function cachedLoadNs(db: Database): Promise<number> {
  const s = await db.session();
  try {
    const ids = (await s.select('select id from bench_line order by id limit 1000', {}, { id: col.bigint() })).map((r) => r.id);
    const lines = s.api(BenchLine);
    await lines.loadMany(ids);
    const rounds = 200;
    const before = s.stats.statements;
    const started = performance.now();
    for (let r = 0; r < rounds; r++) for (const id of ids) await lines.load(id);
    const elapsed = performance.now() - started;
    if (s.stats.statements !== before) throw new Error('a cached load sent a statement');
    return (elapsed * 1e6) / (rounds * ids.length);
  } finally {
    await s.close();
  }
}
