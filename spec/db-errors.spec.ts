import { expect } from 'chai';
import {
  col,
  ConnectionLostError,
  type Database,
  DbError,
  DeadlockError,
  LockTimeoutError,
  NotNullViolationError,
  SessionAbortedError,
  StatementTimeoutError,
} from '../src/index.js';
import { Doc, allEntities } from './support/model.js';
import { openFreshDatabase, plainClient } from './support/test-database.js';

describe('PostgreSQL errors are wrapped by SQLSTATE', () => {
  let db: Database;
  before(async () => {
    db = await openFreshDatabase(allEntities);
  });
  after(() => db.close());

  async function failure(fn: () => Promise<unknown>): Promise<DbError> {
    const error = await fn().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DbError);
    return error as DbError;
  }

  it('not null → NOT_NULL_VIOLATION with table and column', async () => {
    const e = await failure(() => db.transaction((s) => s.execute("insert into doc (id, doc_number, doc_date) values (1, null, '2026-01-01')")));
    expect(e).to.be.instanceOf(NotNullViolationError);
    expect(e).to.include({ code: 'NOT_NULL_VIOLATION', sqlState: '23502', table: 'doc', column: 'doc_number' });
  });

  it('statement_timeout → STATEMENT_TIMEOUT, and the session is aborted', async () => {
    const s = await db.session();
    await s.execute("set local statement_timeout = '50ms'");
    const e = await failure(() => s.select('select pg_sleep(2) as x', {}, { x: col.text({ nullable: true }) }));
    expect(e).to.be.instanceOf(StatementTimeoutError);
    expect(e.sqlState).to.equal('57014');
    const next = await s.execute('select 1').catch((x: unknown) => x);
    expect(next).to.be.instanceOf(SessionAbortedError);
    await s.close();
  });

  it('lock_timeout → LOCK_TIMEOUT', async () => {
    const id = await db.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'lock', docDate: '2026-01-01' })).id);
    const holder = await plainClient();
    await holder.query('begin');
    await holder.query('select * from doc where id = $1 for update', [String(id)]);
    try {
      const s = await db.session();
      await s.execute("set local lock_timeout = '50ms'");
      (await s.api(Doc).load(id)).set('state', 'approved');
      const e = await failure(() => s.flush());
      expect(e).to.be.instanceOf(LockTimeoutError);
      expect(e).to.include({ sqlState: '55P03', entity: 'Doc' });
      expect(e.ids).to.deep.equal([id]);
      await s.close();
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  });

  it('a deadlock → DEADLOCK, transient', async () => {
    const [a, b] = await db.transaction(async (s) => [
      (await s.api(Doc).insert({ docNumber: 'dl-a', docDate: '2026-01-01' })).id,
      (await s.api(Doc).insert({ docNumber: 'dl-b', docDate: '2026-01-01' })).id,
    ]);
    const s1 = await db.session();
    const s2 = await db.session();
    await s1.execute("update doc set state = 'approved' where id = {id}", { id: a });
    await s2.execute("update doc set state = 'approved' where id = {id}", { id: b });
    const results = await Promise.allSettled([
      s1.execute("update doc set state = 'approved' where id = {id}", { id: b }),
      s2.execute("update doc set state = 'approved' where id = {id}", { id: a }),
    ]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).to.have.length(1);
    expect(rejected[0]?.reason).to.be.instanceOf(DeadlockError);
    expect((rejected[0]?.reason as DeadlockError).transient).to.equal(true);
    await s1.close();
    await s2.close();
  });

  it('a backend killed under the session → CONNECTION_LOST; rollback gives a working session again', async () => {
    const s = await db.session();
    const [me] = await s.select('select pg_backend_pid() as pid', {}, { pid: col.int() });
    const killer = await plainClient();
    await killer.query('select pg_terminate_backend($1)', [me?.pid]);
    await killer.end();
    const e = await failure(() => s.select('select 1 as one', {}, { one: col.int() }));
    expect(e).to.be.instanceOf(ConnectionLostError);
    expect(e.code).to.equal('CONNECTION_LOST');
    await s.rollback();
    const rows = await s.select('select 1 as one', {}, { one: col.int() });
    expect(rows).to.deep.equal([{ one: 1 }]);
    await s.close();
  });
});
