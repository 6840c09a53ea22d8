import { BulkJobs, Database } from '../../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from '../model.js';
import { JOB_CHUNK, JOB_SQL } from './scenario.js';

// One worker of a distributed bulk job, in a process of its own (its peak RSS is its own):
//   tsx bench/jobs/worker.ts <url> <job> <tag>
// Works the job (planned by the bench) until no chunk is left and prints
// {"ms": …, "maxRssMb": …, "cpuMs": …, "chunks": …, "rows": …}. The handler is the one of bench/bulk-job.ts.
const [url, name, tagArg] = process.argv.slice(2) as [string, string, string];
const tag = Number(tagArg);
const newQty = (chunk: number): string => `${(tag * 7 + chunk) % 997}.125`;
const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot], pool: { max: 2 } });
try {
  const started = performance.now();
  const job = await new BulkJobs(db).open(name, { entity: BenchLine, chunkSize: JOB_CHUNK, sql: JOB_SQL });
  const result = await job.work(async (rops, info) => {
    for (const rop of rops) rop.set('qty', newQty(info.chunkIndex));
  });
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ ms: performance.now() - started, maxRssMb: process.resourceUsage().maxRSS / 1024, cpuMs: (cpu.user + cpu.system) / 1000, chunks: result.chunks, rows: result.rows }));
} finally {
  await db.close();
}
