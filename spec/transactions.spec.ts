import { expect } from 'chai';
import { col, CommitOutcomeUnknownError, OptimisticLockError, ConnectionLostError, type Database, DeadlockError, DetachedError, SerializationFailureError, type Session, UniqueViolationError } from '../src/index.js';
import { Account, Doc, allEntities } from './support/model.js';
import { barrier } from './support/barrier.js';
import { countRows, openFreshDatabase, plainClient, queryDb } from './support/test-database.js';

/** Another transaction adds 10 to the account's balance (bumping its version), as a concurrent writer would. */
async function queryDbUpdate(id: bigint): Promise<void> {
  await queryDb('update account set balance = balance + 10, version = version + 1 where id = $1', [id]);
}


describe('safe transactions: retries, savepoints', () => {
  let db: Database;
  before(async () => {
    db = await openFreshDatabase(allEntities);
    const client = await plainClient();
    await client.query('CREATE UNIQUE INDEX account_code_unique ON account (code)');
    await client.end();
  });
  after(() => db.close());

  /** Two SERIALIZABLE transactions that each read what the other writes (write skew). */
  function writeSkew(tag: string, retry: boolean) {
    const meet = barrier(2);
    const attempts = [0, 0];
    const run = (who: number) =>
      db.transaction(
        async (s: Session) => {
          attempts[who]!++;
          const [row] = await s.select("select count(*) as n from account where code like {p}", { p: `${tag}%` }, { n: col.int() });
          if (attempts[who] === 1) await meet();
          await s.api(Account).insert({ code: `${tag}-${who}`, balance: String(row?.n ?? 0) });
        },
        { isolation: 'serializable', retry },
      );
    return { results: Promise.allSettled([run(0), run(1)]), attempts };
  }

  it('retries a serialization failure: both transactions end committed exactly once', async () => {
    const { results, attempts } = writeSkew('skew', true);
    const settled = await results;
    expect(settled.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
    expect(attempts[0]! + attempts[1]!).to.be.greaterThan(2);
    expect(await countRows('account', "code like 'skew%'")).to.equal(2);
    expect(await countRows('account', "code like 'skew%' and balance = 1")).to.equal(1); // the retried one saw the other
  });

  it('with retry off, the failure surfaces as a typed error with its SQLSTATE', async () => {
    const { results } = writeSkew('noretry', false);
    const settled = await results;
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed).to.have.length(1);
    expect(failed[0]?.reason).to.be.instanceOf(SerializationFailureError);
    expect((failed[0]?.reason as SerializationFailureError).sqlState).to.equal('40001');
    expect(await countRows('account', "code like 'noretry%'")).to.equal(1);
  });

  it('retries a deadlock', async () => {
    const [a, b] = await db.transaction(async (s) => [(await s.api(Account).insert({ code: 'dl-a' })).id, (await s.api(Account).insert({ code: 'dl-b' })).id]);
    const meet = barrier(2);
    let deadlocks = 0;
    const run = (first: bigint, second: bigint) =>
      db.transaction(
        async (s) => {
          await s.execute('update account set balance = balance + 1 where id = {id}', { id: first });
          await meet();
          try {
            await s.execute('update account set balance = balance + 1 where id = {id}', { id: second });
          } catch (e) {
            if (e instanceof DeadlockError) deadlocks++;
            throw e;
          }
        },
        { retry: { attempts: 3, baseDelayMs: 5 } },
      );
    await Promise.all([run(a, b), run(b, a)]);
    expect(deadlocks).to.equal(1);
    expect(await countRows('account', `id in (${a}, ${b}) and balance = 2`)).to.equal(2);
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    const error = await db
      .transaction(
        async () => {
          attempts++;
          throw new Error('business rule');
        },
        { retry: true },
      )
      .catch((e: Error) => e);
    expect((error as Error).message).to.equal('business rule');
    expect(attempts).to.equal(1);
  });

  it('retries are seen and chosen: onRetry hears each with its SQLSTATE, stats.retries counts them, the last error carries attempts', async () => {
    const events: { attempt: number; code: string; sqlState: string | undefined }[] = [];
    const retriesSeen: number[] = [];
    const error = await db
      .transaction(
        async (s) => {
          retriesSeen.push(s.stats.retries);
          await s.execute('select 1'); // a statement, so the transaction really ran
          throw new SerializationFailureError('could not serialize access [40001]', { sqlState: '40001' }, undefined);
        },
        { retry: { attempts: 3, baseDelayMs: 1, onRetry: (e) => events.push({ attempt: e.attempt, code: e.code, sqlState: e.sqlState }) } },
      )
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SerializationFailureError);
    expect((error as SerializationFailureError).attempts).to.equal(3);
    expect(retriesSeen).to.deep.equal([0, 1, 2]);
    expect(events).to.deep.equal([
      { attempt: 1, code: 'SERIALIZATION_FAILURE', sqlState: '40001' },
      { attempt: 2, code: 'SERIALIZATION_FAILURE', sqlState: '40001' },
    ]);
  });

  it('OPTIMISTIC_LOCK is retried when asked (and only then): the rerun reads the new version and commits', async () => {
    const id = await db.transaction(async (s) => (await s.api(Account).insert({ code: 'opt-retry', balance: '1' })).id);
    const conflict = (on: ('optimisticLock' | 'serialization')[]) => {
      let attempts = 0;
      const done = db.transaction(
        async (s) => {
          const account = await s.api(Account).load(id);
          if (++attempts === 1) await queryDbUpdate(id); // another transaction changes the row after our read
          account.set('balance', String(Number(account.get('balance')) + 1));
        },
        { retry: { attempts: 3, baseDelayMs: 1, on } },
      );
      return done.then(
        () => attempts,
        (e: unknown) => e,
      );
    };
    expect(await conflict(['optimisticLock'])).to.equal(2);
    const refused = await conflict(['serialization']);
    expect(refused).to.be.instanceOf(OptimisticLockError);
    expect((refused as OptimisticLockError).attempts).to.equal(1);
    const [row] = await queryDb<{ balance: string }>('select balance::text from account where id = $1', [id]);
    expect(row?.balance).to.equal('22.00'); // 1 + 10 (other) + 1 (ours, retried) + 10 (other; ours refused)
  });

  it("'uniqueViolation' reruns a transaction that raced for a natural key; without it the violation ends the call", async () => {
    await db.transaction(async (s) => {
      await s.api(Account).insert({ code: 'nk-1' });
    });
    const codes: string[] = [];
    const claim = (on: ('uniqueViolation' | 'serialization')[]) =>
      db.transaction(
        async (s) => {
          // The first attempt takes the code another transaction already holds; the rerun takes the next free one.
          const code = codes.length === 0 ? 'nk-1' : 'nk-2';
          codes.push(code);
          await s.api(Account).insert({ code });
        },
        { retry: { attempts: 3, baseDelayMs: 1, on } },
      );
    await claim(['uniqueViolation']);
    expect(codes).to.deep.equal(['nk-1', 'nk-2']);
    expect(await countRows('account', "code in ('nk-1', 'nk-2')")).to.equal(2);
    codes.length = 0;
    const error = await claim(['serialization']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UniqueViolationError);
    expect((error as UniqueViolationError).attempts).to.equal(1);
  });

  it('a savepoint that fails leaves the outer transaction’s work intact', async () => {
    await db.transaction(async (s) => {
      const outer = await s.api(Doc).insert({ docNumber: 'outer', docDate: '2026-11-21' });
      await s.api(Account).insert({ code: 'taken' });
      const error = await s
        .savepoint(async () => {
          await s.api(Doc).insert({ docNumber: 'inner', docDate: '2026-11-21' });
          await s.api(Account).insert({ code: 'taken' });
          await s.flush(); // unique violation: the part fails
        })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(UniqueViolationError);
      expect(() => outer.get('docNumber')).to.throw(DetachedError); // the cache was cleared
      const again = await s.api(Doc).load(outer.id);
      again.set('state', 'approved');
    });
    expect(await countRows('doc', "doc_number = 'outer' and state = 'approved'")).to.equal(1);
    expect(await countRows('doc', "doc_number = 'inner'")).to.equal(0);
    expect(await countRows('account', "code = 'taken'")).to.equal(1);
  });

  it('a savepoint that succeeds keeps its part', async () => {
    await db.transaction(async (s) => {
      const result = await s.savepoint(async () => (await s.api(Doc).insert({ docNumber: 'sp-ok', docDate: '2026-11-21' })).id);
      expect(typeof result).to.equal('bigint');
    });
    expect(await countRows('doc', "doc_number = 'sp-ok'")).to.equal(1);
  });

  // A connection lost while COMMIT is in flight is COMMIT_OUTCOME_UNKNOWN: spec/faults/dead-connections.spec.ts
  // cuts a relay at COMMIT. Here the backend is killed before COMMIT, so COMMIT is never sent.
  it('a backend killed before COMMIT: CONNECTION_LOST, "nothing was committed" — and indeed nothing was', async () => {
    const s = await db.session();
    await s.api(Doc).insert({ docNumber: 'limbo', docDate: '2026-11-21' });
    await s.flush();
    const [me] = await s.select('select pg_backend_pid() as pid', {}, { pid: col.int() });
    const killer = await plainClient();
    await killer.query('select pg_terminate_backend($1)', [me?.pid]);
    await killer.end();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the client reads the server's FATAL
    const error = await s.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConnectionLostError);
    expect(error).not.to.be.instanceOf(CommitOutcomeUnknownError);
    expect((error as ConnectionLostError).message).to.contain('nothing was committed');
    expect(await countRows('doc', "doc_number = 'limbo'")).to.equal(0);
    await s.close();
  });
});
