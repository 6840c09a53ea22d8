import { expect } from 'chai';
import { BulkJobs, Database, JobFailedError, ValidationError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { JobPair, JobRow } from './support/job-model.js';
import { JobWorkerProcess } from './support/job-process.js';
import { databaseUrl, openFreshDatabase, queryDb, StatementLog } from './support/test-database.js';

/** Fills job_row with `n` rows (hits 0) in one statement. */
async function seedRows(n: number): Promise<void> {
  await queryDb('TRUNCATE job_row');
  await queryDb(`INSERT INTO job_row (id, hits, grp) SELECT g, 0, g % 7 FROM generate_series(1, $1::int) g`, [n]);
}

async function hitsHistogram(): Promise<Record<string, number>> {
  const rows = await queryDb<{ hits: number; n: string }>('SELECT hits, count(*) AS n FROM job_row GROUP BY hits ORDER BY hits');
  return Object.fromEntries(rows.map((r) => [String(r.hits), Number(r.n)]));
}

describe('distributed bulk jobs (BulkJobs: chunk table, SKIP LOCKED claims, done-mark in the chunk transaction)', () => {
  let db: Database;
  const log = new StatementLog();

  before(async () => {
    db = await openFreshDatabase([JobRow, JobPair], { onStatement: log.listener });
    await queryDb('DROP TABLE IF EXISTS cellar_job_chunk, cellar_job');
  });
  after(() => db.close());

  it('200,000 rows, 3 worker processes, one killed with SIGKILL mid-chunk: every row exactly once, status right from a fourth process', async function () {
    this.timeout(240_000);
    await seedRows(200_000);
    const args = (mode: string): string[] => [databaseUrl(), 'kill-200k', '2000', mode];
    const doomed = new JobWorkerProcess(args('hold'));
    const holding = await doomed.waitFor((e) => e.event === 'holding');
    const seen = await (await new BulkJobs(db).open('kill-200k', { entity: JobRow, chunkSize: 2000, sql: 'select id from job_row' })).status();
    expect(seen).to.deep.include({ finished: false, chunks: { total: 100, done: 0, failed: 0, running: 1, pending: 99 } });
    const workers = [new JobWorkerProcess(args('plain')), new JobWorkerProcess(args('plain'))];
    // The doomed worker's chunk is flushed but not committed: its rows carry hits = 1 in its transaction only.
    await workers[0]?.waitFor((e) => e.event === 'chunk');
    doomed.kill('SIGKILL');
    await doomed.exited;
    const ends = await Promise.all(workers.map((w) => w.finished()));
    expect(ends.map((e) => e.event)).to.deep.equal(['done', 'done']);
    expect(ends.reduce((n, e) => n + (e['chunks'] as number), 0)).to.equal(100);
    expect(ends.reduce((n, e) => n + (e['rows'] as number), 0)).to.equal(200_000);
    expect(await hitsHistogram()).to.deep.equal({ '1': 200_000 });
    const retaken = await queryDb<{ state: string; worker: string }>('SELECT c.state, c.worker FROM cellar_job_chunk c JOIN cellar_job j ON j.id = c.job_id WHERE j.name = $1 AND c.n = $2', ['kill-200k', holding['chunk']]);
    expect(retaken[0]?.state).to.equal('done');
    const fourth = await new JobWorkerProcess(args('status')).finished();
    expect(fourth['status']).to.deep.include({ finished: true, chunks: { total: 100, done: 100, failed: 0, running: 0, pending: 0 }, rows: { total: 200_000, done: 200_000 } });
  });

  it('a chunk whose handler always fails ends failed (its writes undone, the rest done); workers started again finish the job', async function () {
    this.timeout(120_000);
    await seedRows(20_000);
    const args = (mode: string, arg?: string): string[] => [databaseUrl(), 'fail-once', '1000', mode, ...(arg === undefined ? [] : [arg])];
    const ends = await Promise.all([new JobWorkerProcess(args('fail', '7')), new JobWorkerProcess(args('fail', '7'))].map((w) => w.finished()));
    // Both end with JOB_FAILED: the job is over for them, with chunk 7 failed after 3 attempts.
    expect(ends.map((e) => e.code)).to.deep.equal(['JOB_FAILED', 'JOB_FAILED']);
    expect(ends[0]?.['failed']).to.deep.equal([{ chunk: 7, attempts: 3, error: 'Error: chunk 7 refuses' }]);
    expect(await hitsHistogram()).to.deep.equal({ '0': 1000, '1': 19_000 });
    expect(await queryDb('SELECT min(id)::int AS lo, max(id)::int AS hi FROM job_row WHERE hits = 0')).to.deep.equal([{ lo: 7001, hi: 8000 }]);
    const status = (await new JobWorkerProcess(args('status')).finished())['status'];
    expect(status).to.deep.include({ finished: true, chunks: { total: 20, done: 19, failed: 1, running: 0, pending: 0 }, rows: { total: 20_000, done: 19_000 } });
    const again = await Promise.all([new JobWorkerProcess(args('plain')), new JobWorkerProcess(args('plain'))].map((w) => w.finished()));
    expect(again.map((e) => e.event)).to.deep.equal(['done', 'done']);
    expect(again.reduce((n, e) => n + (e['chunks'] as number), 0)).to.equal(1);
    expect(await hitsHistogram()).to.deep.equal({ '1': 20_000 });
  });

  it('in one process: per chunk one claim, one load, a savepoint, the writes and the done-mark, all in one transaction', async () => {
    await seedRows(5000);
    const job = await new BulkJobs(db).open('statements', { entity: JobRow, chunkSize: 1000, sql: 'select id from job_row where grp <> {skip}', params: { skip: 99 } });
    log.clear();
    const result = await job.work(async (rops) => {
      for (const r of rops) r.increment('hits', 1);
    });
    expect(result).to.deep.include({ chunks: 5, rows: 5000, failedAttempts: 0 });
    const sent = log.events.filter((e) => !e.transactionControl || /SAVEPOINT/i.test(e.sql)).map((e) => e.sql.trim().split(/\s+/).slice(0, 2).join(' ').replace(/cellar_sp_\d+/, 'cellar_sp'));
    // Before: failed chunks reset, the job's status; after: the claim that finds nothing and the status, twice.
    const chunk = ['WITH c', 'SELECT t."id",', 'SAVEPOINT cellar_sp', 'UPDATE "job_row"', 'UPDATE cellar_job_chunk'];
    const status = 'SELECT count(*)::int,';
    expect(sent).to.deep.equal(['UPDATE cellar_job_chunk', status, ...Array.from({ length: 5 }, () => chunk).flat(), 'WITH c', status, status]);
    expect(log.events.filter((e) => e.transactionControl && /^COMMIT/i.test(e.sql))).to.have.length(5 + 3); // the chunks, and the reset and two status reads
    expect(await hitsHistogram()).to.deep.equal({ '1': 5000 });
  });

  it('refuses a handler that commits, rolls back or closes (USAGE): the chunk stays undone, its writes are not kept', async () => {
    await seedRows(100);
    for (const call of ['commit', 'rollback', 'close'] as const) {
      const job = await new BulkJobs(db).open(`ends-${call}`, { entity: JobRow, chunkSize: 100, sql: 'select id from job_row', maxAttempts: 1 });
      const e = await expectRejection(
        job.work(async (rops, _info, s) => {
          for (const r of rops) r.increment('hits', 1);
          await s[call]();
        }),
        JobFailedError,
      );
      expect(e.code).to.equal('JOB_FAILED');
      expect(e.failed[0]?.error).to.match(new RegExp(`UsageError: ${call}\\(\\) is not allowed here`));
      expect(await hitsHistogram()).to.deep.equal({ '0': 100 });
    }
  });

  it('keeps a job by name: the same definition reopens it, another one is refused (VALIDATION) until dropped', async () => {
    await seedRows(10);
    const jobs = new BulkJobs(db);
    const first = await jobs.open('by-name', { entity: JobRow, chunkSize: 4, sql: 'select id from job_row where grp = any({g})', params: { g: [1n, 2n] } });
    const again = await jobs.open('by-name', { entity: JobRow, chunkSize: 4, sql: 'select id from job_row where grp = any({g})', params: { g: [1n, 2n] } });
    expect((await again.status()).chunks.total).to.equal((await first.status()).chunks.total);
    const e = await expectRejection(jobs.open('by-name', { entity: JobRow, chunkSize: 5, sql: 'select id from job_row where grp = any({g})', params: { g: [1n, 2n] } }), ValidationError);
    expect(e.message).to.match(/exists with another definition.*jobs\.drop\("by-name"\)/);
    expect(await jobs.drop('by-name')).to.equal(true);
    expect(await jobs.drop('by-name')).to.equal(false);
    expect((await (await jobs.open('by-name', { entity: JobRow, chunkSize: 5, sql: 'select id from job_row', params: {} })).status()).chunks.total).to.equal(2);
    await expectRejection(jobs.open('bad', { entity: JobRow, chunkSize: 0, sql: 'select id from job_row' }), ValidationError);
  });

  it('plans composite keys (text parts with quotes and tabs) and hands each row over once', async () => {
    await queryDb('TRUNCATE job_pair');
    await queryDb(`INSERT INTO job_pair (a, b, hits) SELECT g % 10, 'k"' || chr(9) || (g / 10)::text, 0 FROM generate_series(1, 300) g`);
    const job = await new BulkJobs(db).open('pairs', { entity: JobPair, chunkSize: 64, sql: 'select a, b from job_pair' });
    const seen: string[] = [];
    await job.work(async (rops) => {
      for (const r of rops) {
        seen.push(`${r.get('a')}|${r.get('b')}`);
        r.increment('hits', 1);
      }
    });
    expect(new Set(seen).size).to.equal(300);
    expect(await queryDb('SELECT hits, count(*)::int AS n FROM job_pair GROUP BY hits')).to.deep.equal([{ hits: 1, n: 300 }]);
  });

  it('plans a job once when processes open it at the same time (200 rounds, two Databases)', async function () {
    this.timeout(120_000);
    await seedRows(50);
    const other = await Database.open({ url: databaseUrl(), entities: [JobRow, JobPair] });
    try {
      for (let round = 0; round < 200; round++) {
        const definition = { entity: JobRow, chunkSize: 7, sql: 'select id from job_row' };
        const [a, b] = await Promise.all([new BulkJobs(db).open(`race-${round}`, definition), new BulkJobs(other).open(`race-${round}`, definition)]);
        const [sa, sb] = await Promise.all([a.status(), b.status()]);
        expect([sa.chunks.total, sb.chunks.total, sa.rows.total]).to.deep.equal([8, 8, 50]);
      }
    } finally {
      await other.close();
    }
  });
});
