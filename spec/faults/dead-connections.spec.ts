import { expect } from 'chai';
import { col, CommitOutcomeUnknownError, ConnectionLostError, type Database, SessionAbortedError } from '../../src/index.js';
import { expectRejection } from '../support/expect-rejection.js';
import { Rate } from '../support/cached-model.js';
import { Doc, allEntities } from '../support/model.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { countRows, databaseUrl, openFreshDatabase, plainClient } from '../support/test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `check` holds. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) expect.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Connections that die while no statement runs: discarded at once, the session usable after rollback(). */
describe('faults: a connection that dies between statements', () => {
  let db: Database;
  let relay: TcpRelay;
  let relayed: Database;
  before(async () => {
    db = await openFreshDatabase([...allEntities, Rate]);
    relay = await TcpRelay.start(databaseUrl());
    relayed = await openFreshDatabase([...allEntities, Rate], { url: relay.url(databaseUrl()) });
  });
  after(async () => {
    await relayed.close();
    await relay.close();
    await db.close();
  });

  /** A session whose backend the server kills for idling in its transaction. */
  async function sessionKilledWhileIdle() {
    const s = await db.session();
    await s.execute("set idle_in_transaction_session_timeout = '100ms'");
    await s.api(Doc).insert({ docNumber: 'idle-killed', docDate: '2026-12-01' });
    await s.flush();
    await sleep(400);
    return s;
  }

  it('killed by idle_in_transaction_session_timeout: rollback() discards the dead client and the session works again', async () => {
    const s = await sessionKilledWhileIdle();
    try {
      await s.rollback();
      const [row] = await s.select('select 1 as one', {}, { one: col.int() });
      expect(row?.one).to.equal(1);
      expect(await countRows('doc', "doc_number = 'idle-killed'")).to.equal(0);
    } finally {
      await s.close();
    }
  });

  it('a commit() whose COMMIT was never sent (the server had killed the transaction): CONNECTION_LOST, "nothing was committed"', async () => {
    const s = await sessionKilledWhileIdle();
    try {
      const e = await expectRejection(s.commit(), ConnectionLostError);
      expect(e).not.to.be.instanceOf(CommitOutcomeUnknownError);
      expect(e.message).to.contain('nothing was committed');
      await expectRejection(s.select('select 1 as one', {}, { one: col.int() }), SessionAbortedError);
      await s.rollback();
      const [row] = await s.select('select 2 as two', {}, { two: col.int() });
      expect(row?.two).to.equal(2);
      expect(await countRows('doc', "doc_number = 'idle-killed'")).to.equal(0);
    } finally {
      await s.close();
    }
  });

  it('a link cut at COMMIT: COMMIT_OUTCOME_UNKNOWN; then rollback() leaves a usable session on a fresh connection', async () => {
    const s = await relayed.session();
    try {
      await s.api(Doc).insert({ docNumber: 'cut-at-commit', docDate: '2026-12-01' });
      await s.flush();
      relay.cutOnClientMessage(/COMMIT/, 'after');
      await expectRejection(s.commit(), CommitOutcomeUnknownError);
      await s.rollback();
      const [row] = await s.select('select 3 as three', {}, { three: col.int() });
      expect(row?.three).to.equal(3);
      expect(await countRows('doc', "doc_number = 'cut-at-commit'")).to.equal(1); // the server did commit
    } finally {
      await s.close();
    }
  });

  it('when a COMMIT\'s outcome is unknown, what it wrote is invalidated in the shared cache as after a commit', async () => {
    const id = await relayed.transaction(async (s) => (await s.api(Rate).insert({ code: 'EUR', rate: '1.000000' })).id);
    const read = () => relayed.transaction(async (s) => (await s.api(Rate).load(id)).get('rate'));
    expect(await read()).to.equal('1.000000'); // now in the shared row cache
    const s = await relayed.session();
    try {
      (await s.api(Rate).load(id)).set('rate', '2.000000');
      relay.cutOnClientMessage(/COMMIT/, 'after');
      await expectRejection(s.commit(), CommitOutcomeUnknownError);
    } finally {
      await s.close();
    }
    expect(await read()).to.equal('2.000000'); // the server committed it: the cache must not say 1
  });

  it('a session whose connection a server kill ended while idle between transactions just takes a new one', async () => {
    const s = await db.session();
    try {
      const [me] = await s.select('select pg_backend_pid() as pid', {}, { pid: col.int() });
      await s.commit();
      const admin = await plainClient();
      await admin.query('select pg_terminate_backend($1)', [me?.pid]);
      await admin.end();
      await sleep(200);
      const [again] = await s.select('select pg_backend_pid() as pid', {}, { pid: col.int() });
      expect(again?.pid).to.be.a('number').and.not.to.equal(me?.pid);
    } finally {
      await s.close();
    }
  });

  it('the pool holds no dead client afterwards: every checked-out connection came back', async () => {
    await eventually(() => db.poolStats.total === db.poolStats.idle && relayed.poolStats.total === relayed.poolStats.idle, 'all connections back in the pools');
  });
});
