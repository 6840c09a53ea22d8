import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { BulkJobs, Database } from '../../src/index.js';
import { median } from '../harness.js';
import { BenchDoc, BenchLine, BenchLot } from '../model.js';
import { seedLines } from '../bulk-scenarios.js';

const run = promisify(execFile);

/** The job every worker opens: the nightly job of bench/bulk-job.ts, as a distributed job. */
export const JOB_CHUNK = 5000;
export const JOB_SQL = 'select id from bench_line';

/** One worker count's runs: wall time of the whole job, and each worker's peak RSS. */
export interface WorkerRun {
  readonly workers: number;
  readonly ms: number[];
  readonly planMs: number[];
  readonly rssMb: number[];
  readonly chunksPerWorker: number[][];
  /** CPU ms the workers used, and the whole machine was busy (everything: workers, server, the rest), per run. */
  readonly workerCpuMs: number[];
  readonly machineBusyMs: number[];
}

/** CPU time the whole machine has been busy since boot, in ms (Linux /proc/stat; 0 elsewhere). */
function machineBusyMs(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return ((fields.reduce((a, b) => a + b, 0) - idle) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** The single-process `chunkedQuery` job and the distributed job with 1, 2, 4 workers, same rows, same handler, same run. */
export async function distributedJobScenarios(url: string, runs: number, rows: number, workerCounts: readonly number[] = [1, 2, 4]): Promise<{ single: { ms: number[]; rssMb: number[] }; distributed: WorkerRun[] }> {
  const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot] });
  await db.schema.drop();
  await db.schema.create();
  await seedLines(url, rows);
  const jobs = new BulkJobs(db);
  const single = { ms: [] as number[], rssMb: [] as number[] };
  const distributed: WorkerRun[] = workerCounts.map((workers) => ({ workers, ms: [], planMs: [], rssMb: [], chunksPerWorker: [], workerCpuMs: [], machineBusyMs: [] }));
  let tag = 1000;
  try {
    for (let r = 0; r < runs; r++) {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/bulk-job.ts', url, 'cellar', String(rows), String(++tag)], { maxBuffer: 1 << 20 });
      const one = JSON.parse(stdout.trim().split('\n').pop() as string) as { ms: number; maxRssMb: number };
      single.ms.push(one.ms);
      single.rssMb.push(one.maxRssMb);
      for (const d of distributed) {
        const name = `bench-${rows}-${r}-${d.workers}-${Date.now()}`;
        const planStarted = performance.now();
        await jobs.open(name, { entity: BenchLine, chunkSize: JOB_CHUNK, sql: JOB_SQL });
        d.planMs.push(performance.now() - planStarted);
        const runTag = String(++tag);
        const started = performance.now();
        const busyBefore = machineBusyMs();
        const outs = await Promise.all(Array.from({ length: d.workers }, () => run(process.execPath, ['--import', 'tsx', 'bench/jobs/worker.ts', url, name, runTag], { maxBuffer: 1 << 20 })));
        d.ms.push(performance.now() - started);
        d.machineBusyMs.push(machineBusyMs() - busyBefore);
        const results = outs.map((o) => JSON.parse(o.stdout.trim().split('\n').pop() as string) as { maxRssMb: number; cpuMs: number; chunks: number; rows: number });
        d.workerCpuMs.push(results.reduce((n, x) => n + x.cpuMs, 0));
        const processed = results.reduce((n, x) => n + x.rows, 0);
        if (processed !== rows) throw new Error(`the ${d.workers}-worker job processed ${processed} of ${rows} rows`);
        d.rssMb.push(...results.map((x) => x.maxRssMb));
        d.chunksPerWorker.push(results.map((x) => x.chunks));
        await jobs.drop(name);
      }
    }
  } finally {
    await db.close();
  }
  return { single, distributed };
}

/** The table of docs/performance.md's jobs section. */
export function distributedJobTable(rows: number, result: Awaited<ReturnType<typeof distributedJobScenarios>>): string {
  const singleMs = median(result.single.ms);
  const cores = cpus().length;
  const share = (cpuMs: number, wallMs: number): string => `${Math.round((100 * cpuMs) / (wallMs * cores))}%`;
  const lines = [
    `| ${rows.toLocaleString('en-US')} rows, chunks of ${JOB_CHUNK} | wall ms (median) | rows/s | vs chunkedQuery | peak RSS per worker MB (median / max) | chunks per worker (last run) | CPU busy: workers / everything else (of ${cores} cores × wall) |`,
    '|---|---:|---:|---:|---:|---|---|',
    `| chunkedQuery, one process | ${singleMs.toFixed(0)} | ${Math.round((rows * 1000) / singleMs).toLocaleString('en-US')} | 1.00 | ${median(result.single.rssMb).toFixed(0)} / ${Math.max(...result.single.rssMb).toFixed(0)} | — | — |`,
  ];
  for (const d of result.distributed) {
    const ms = median(d.ms);
    lines.push(
      `| BulkJobs, ${d.workers} worker process${d.workers === 1 ? '' : 'es'} | ${ms.toFixed(0)} | ${Math.round((rows * 1000) / ms).toLocaleString('en-US')} | ${(singleMs / ms).toFixed(2)}× | ${median(d.rssMb).toFixed(0)} / ${Math.max(...d.rssMb).toFixed(0)} | ${(d.chunksPerWorker[d.chunksPerWorker.length - 1] ?? []).join(', ')} | ${share(median(d.workerCpuMs), ms)} / ${share(median(d.machineBusyMs) - median(d.workerCpuMs), ms)} |`,
    );
  }
  const plan = median(result.distributed.flatMap((d) => d.planMs));
  lines.push('', `Planning the job (the key query and the split into chunks, one statement on the server) takes ${plan.toFixed(0)} ms (median), outside the wall times above; a worker's wall time includes its process start (~0.5 s of Node and tsx).`);
  return lines.join('\n');
}
