import { expect } from 'chai';
import { Account, Doc, DocLine, allEntities } from '../support/model.js';
import { CellarError, CommitOutcomeUnknownError, type Database } from '../../src/index.js';
import { openFreshDatabase, plainClient } from '../support/test-database.js';

const WORKERS = 8;
const DURATION_MS = 60_000;
const KILL_EVERY_MS = 500;
const LINES = 3;

type Outcome = 'committed' | 'failed' | 'unknown';
interface Attempt {
  readonly number: string;
  readonly worker: number;
  /** The earlier committed document this transaction deleted, if it deleted one. */
  readonly deleted?: string;
  outcome?: Outcome;
}

/**
 * Eight sessions insert, update and delete for a minute while another connection kills a random one
 * of their backends every 500 ms. The process must not crash, every failure must be a CellarError,
 * and the database must hold exactly what the transactions that reported success wrote (all or
 * nothing for those whose COMMIT outcome is unknown).
 */
describe('faults: soak — 8 sessions writing while backends are killed every 500 ms', function () {
  this.timeout(DURATION_MS + 60_000);
  let db: Database;
  before(async () => {
    db = await openFreshDatabase(allEntities, { pool: { max: WORKERS + 2, applicationName: 'cellar-soak' } });
  });
  after(() => db.close());

  it('no crash, every failure typed, the database consistent with the reported outcomes', async () => {
    const counters = await db.transaction(async (s) => {
      const rows = [];
      for (let w = 0; w < WORKERS; w++) rows.push(await s.api(Account).insert({ code: `soak-${w}`, balance: '0' }));
      return rows.map((r) => r.id);
    });
    const attempts: Attempt[] = [];
    const untyped: unknown[] = [];
    const deadline = Date.now() + DURATION_MS;
    let kills = 0;
    const killer = (async () => {
      const admin = await plainClient();
      try {
        while (Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
          const r = await admin.query(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'cellar-soak' order by random() limit 1",
          );
          kills += r.rowCount ?? 0;
        }
      } finally {
        await admin.end();
      }
    })();
    const worker = async (w: number): Promise<void> => {
      const committed: { number: string; id: bigint }[] = [];
      for (let n = 0; Date.now() < deadline; n++) {
        const victim = committed.length > 3 && n % 3 === 0 ? committed.splice(Math.floor(Math.random() * committed.length), 1)[0] : undefined;
        const attempt: Attempt = { number: `soak-${w}-${n}`, worker: w, deleted: victim?.number };
        attempts.push(attempt);
        let id: bigint | undefined;
        try {
          await db.transaction(async (s) => {
            const doc = await s.api(Doc).insert({ docNumber: attempt.number, docDate: '2026-12-01' });
            id = doc.id;
            for (let l = 0; l < LINES; l++) await s.api(DocLine).insertByParent(doc, { nOrder: l, idItem: BigInt(l), qty: '1' });
            const counter = await s.api(Account).load(counters[w] as bigint);
            counter.set('balance', String(Number(counter.get('balance')) + 1));
            if (victim) await s.api(Doc).delete(await s.api(Doc).load(victim.id));
          });
          attempt.outcome = 'committed';
          committed.push({ number: attempt.number, id: id as bigint });
        } catch (e) {
          if (!(e instanceof CellarError)) untyped.push(e);
          attempt.outcome = e instanceof CommitOutcomeUnknownError ? 'unknown' : 'failed';
          // A document whose deletion may not have happened stays out of later deletions.
        }
      }
    };
    await Promise.all([killer, ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);
    expect(untyped, 'failures that are not CellarErrors').to.deep.equal([]);
    expect(kills).to.be.greaterThan(DURATION_MS / KILL_EVERY_MS / 2);

    const client = await plainClient();
    try {
      const docs = new Map(
        (await client.query<{ doc_number: string; lines: string }>("select d.doc_number, (select count(*) from doc_line l where l.id_doc = d.id) as lines from doc d where d.doc_number like 'soak-%'")).rows.map(
          (r) => [r.doc_number, Number(r.lines)],
        ),
      );
      const balances = (await client.query<{ code: string; balance: string }>("select code, balance from account where code like 'soak-%' order by code")).rows;
      const orphans = await client.query("select count(*)::int as n from doc_line l where not exists (select 1 from doc d where d.id = l.id_doc)");
      expect(orphans.rows[0]?.n).to.equal(0);
      const deletedBy = new Map<string, Attempt>();
      for (const a of attempts) if (a.deleted) deletedBy.set(a.deleted, a);
      const problems: string[] = [];
      for (const a of attempts) {
        const lines = docs.get(a.number);
        const deleter = deletedBy.get(a.number);
        const mayBeDeleted = deleter !== undefined && deleter.outcome !== 'failed';
        const mustBeDeleted = deleter?.outcome === 'committed';
        if (lines !== undefined && lines !== LINES) problems.push(`${a.number}: ${lines} lines, a half-written document`);
        if (a.outcome === 'committed' && lines === undefined && !mayBeDeleted) problems.push(`${a.number}: reported committed, not in the database`);
        if (a.outcome === 'committed' && lines !== undefined && mustBeDeleted) problems.push(`${a.number}: deleted by a committed transaction, still there`);
        if (a.outcome === 'failed' && lines !== undefined) problems.push(`${a.number}: reported failed, in the database`);
      }
      for (let w = 0; w < WORKERS; w++) {
        const mine = attempts.filter((a) => a.worker === w);
        const low = mine.filter((a) => a.outcome === 'committed').length;
        const high = low + mine.filter((a) => a.outcome === 'unknown').length;
        const balance = Number(balances.find((b) => b.code === `soak-${w}`)?.balance);
        if (balance < low || balance > high) problems.push(`worker ${w}: counter ${balance}, expected ${low}..${high}`);
      }
      expect(problems).to.deep.equal([]);
      const outcomes = attempts.reduce<Record<string, number>>((n, a) => ({ ...n, [a.outcome as string]: (n[a.outcome as string] ?? 0) + 1 }), {});
      console.log(`      ${attempts.length} transactions, ${kills} backends killed: ${JSON.stringify(outcomes)}`);
      expect(outcomes['committed']).to.be.greaterThan(100);
    } finally {
      await client.end();
    }
    expect(db.poolStats.total - db.poolStats.idle).to.equal(0);
  });
});
