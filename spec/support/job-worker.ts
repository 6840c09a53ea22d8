// A worker process of the distributed-job specs: opens the job and works it, reporting one JSON line
// per event on stdout. Usage: tsx spec/support/job-worker.ts <url> <job> <chunkSize> <mode> [arg]
//   mode "plain": work the job; "hold": after the first chunk's writes are flushed, say so and wait
//   (to be killed); "fail": the handler throws on chunk <arg>; "status": print the job's status.
import { BulkJobs, Database } from '../../src/index.js';
import { JobRow } from './job-model.js';

const [url, name, chunkText, mode, arg] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const db = await Database.open({ url, entities: [JobRow], pool: { max: 2 } });
try {
  const job = await new BulkJobs(db).open(name, { entity: JobRow, chunkSize: Number(chunkText), sql: 'select id from job_row' });
  if (mode === 'status') {
    say({ event: 'status', status: await job.status() });
  } else {
    let held = false;
    const result = await job.work(async (rops, info, s) => {
      for (const r of rops) r.increment('hits', 1);
      if (mode === 'fail' && info.chunkIndex === Number(arg)) throw new Error(`chunk ${info.chunkIndex} refuses`);
      if (mode === 'hold' && !held) {
        held = true;
        await s.flush();
        say({ event: 'holding', chunk: info.chunkIndex });
        await new Promise(() => undefined); // until SIGKILL
      }
    }, { onProgress: (p) => say({ event: 'chunk', chunk: p.chunkIndex, jobRowsDone: p.jobRowsDone }) });
    say({ event: 'done', chunks: result.chunks, rows: result.rows, failedAttempts: result.failedAttempts });
  }
} catch (e) {
  const err = e as { code?: string; message?: string; failed?: unknown };
  say({ event: 'error', code: err.code, message: err.message, failed: err.failed });
} finally {
  await db.close();
}
