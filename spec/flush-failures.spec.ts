import { expect } from 'chai';
import {
  CheckViolationError,
  type Database,
  DbError,
  ForeignKeyViolationError,
  OptimisticLockError,
  type Rop,
  SessionAbortedError,
  UniqueViolationError,
} from '../src/index.js';
import { Account, Doc, DocLine, allEntities } from './support/model.js';
import { countRows, openFreshDatabase, plainClient } from './support/test-database.js';

describe('flush failures: atomicity, aborted sessions, optimistic locking', () => {
  let db: Database;

  before(async () => {
    db = await openFreshDatabase(allEntities);
    const client = await plainClient();
    await client.query('CREATE UNIQUE INDEX doc_number_unique ON doc (doc_number)');
    await client.query('ALTER TABLE doc_line ADD CONSTRAINT n_order_small CHECK (n_order < 1000000)');
    await client.end();
  });
  after(() => db.close());

  it('a unique violation at row 500 of 1,000 leaves zero rows and an aborted session', async () => {
    await db.transaction(async (s) => {
      await s.api(Doc).insert({ docNumber: 'U-499', docDate: '2026-01-01' });
    });
    const before = await countRows('doc');
    const s = await db.session();
    const docs: Rop<typeof Doc>[] = [];
    for (let i = 0; i < 1000; i++) docs.push(await s.api(Doc).insert({ docNumber: i === 499 ? 'U-499' : `V-${i}`, docDate: '2026-01-01' }));
    const error = await s.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(UniqueViolationError);
    const unique = error as UniqueViolationError;
    expect(unique.code).to.equal('UNIQUE_VIOLATION');
    expect(unique.sqlState).to.equal('23505');
    expect(unique.constraint).to.equal('doc_number_unique');
    expect(unique.table).to.equal('doc');
    expect(unique.entity).to.equal('Doc');
    expect(unique.ids).to.have.length(1000);
    expect(unique.cause).to.be.an('error');
    expect(unique).to.be.instanceOf(DbError);
    expect(await countRows('doc')).to.equal(before);

    // Every call but rollback/close now raises SESSION_ABORTED, and writes nothing.
    await expectAborted(() => s.flush());
    await expectAborted(() => s.commit());
    await expectAborted(() => s.api(Doc).load(1n));
    await expectAborted(() => s.api(Doc).load(docs[0]!.id)); // a cache hit is refused too
    await expectAborted(() => s.api(DocLine).index('byItem').byKey(1n));
    await expectAborted(() => s.api(Doc).insert({ docNumber: 'W', docDate: '2026-01-01' }));
    expect(() => docs[0]?.get('docNumber')).to.throw(SessionAbortedError);
    expect(() => docs[0]?.set('docNumber', 'Z')).to.throw(SessionAbortedError);

    await s.rollback();
    const again = await s.api(Doc).insert({ docNumber: 'after-rollback', docDate: '2026-01-01' });
    await s.commit();
    await s.close();
    expect(await countRows('doc', `id = ${again.id}`)).to.equal(1);
    expect(await countRows('doc')).to.equal(before + 1);
  });

  it('a failure in the second statement of a flush leaves the first one uncommitted too', async () => {
    const before = await countRows('doc');
    const s = await db.session();
    const doc = await s.api(Doc).insert({ docNumber: 'P-1', docDate: '2026-01-01' });
    await s.api(DocLine).insertByParent(doc, { nOrder: 2_000_000, idItem: 1n, qty: '1' });
    const error = await s.flush().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CheckViolationError);
    expect((error as CheckViolationError).entity).to.equal('DocLine');
    await s.rollback();
    await s.close();
    expect(await countRows('doc')).to.equal(before);
  });

  it('deleting a parent whose children are not cascaded raises FOREIGN_KEY_VIOLATION', async () => {
    const doc = await db.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'FK-1', docDate: '2026-01-01' })).id);
    const client = await plainClient();
    await client.query('create table doc_note (id serial primary key, id_doc int8 not null references doc(id))');
    await client.query('insert into doc_note (id_doc) values ($1)', [String(doc)]);
    await client.end();
    const s = await db.session();
    await s.api(Doc).delete(await s.api(Doc).load(doc));
    const error = await s.commit().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ForeignKeyViolationError);
    expect((error as ForeignKeyViolationError).sqlState).to.equal('23503');
    expect((error as ForeignKeyViolationError).constraint).to.equal('doc_note_id_doc_fkey');
    await s.close();
    expect(await countRows('doc', `id = ${doc}`)).to.equal(1);
  });

  it('a combined flush (several entities in one statement) fails as a whole, the error naming the entity and rows refused', async () => {
    await db.transaction(async (s) => {
      await s.api(Doc).insert({ docNumber: 'C-taken', docDate: '2026-01-01' });
    });
    const [docs, lines, accounts] = [await countRows('doc'), await countRows('doc_line'), await countRows('account')];
    const s = await db.session();
    const ok = await s.api(Doc).insert({ docNumber: 'C-ok', docDate: '2026-01-01' });
    await s.api(DocLine).insertByParent(ok, { nOrder: 1, idItem: 1n, qty: '1' });
    await s.api(Account).insert({ code: 'c-1' });
    const taken = await s.api(Doc).insert({ docNumber: 'C-taken', docDate: '2026-01-01' });
    const error = await s.commit().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UniqueViolationError);
    expect((error as UniqueViolationError).entity).to.equal('Doc');
    expect((error as UniqueViolationError).ids).to.deep.equal([ok.id, taken.id]);
    expect((error as UniqueViolationError).constraint).to.equal('doc_number_unique');
    await s.close();
    expect([await countRows('doc'), await countRows('doc_line'), await countRows('account')]).to.deep.equal([docs, lines, accounts]);
  });

  it('a combined flush with a stale versioned row raises OPTIMISTIC_LOCK naming it, and writes nothing', async () => {
    const [a, b] = await db.transaction(async (s) => [(await s.api(Account).insert({ code: 'cv-a' })).id, (await s.api(Account).insert({ code: 'cv-b' })).id]);
    const s = await db.session();
    const [ra, rb] = await s.api(Account).loadMany([a, b]);
    await db.transaction(async (other) => {
      (await other.api(Account).load(b)).set('balance', '5');
    });
    ra?.set('balance', '1');
    rb?.set('balance', '2');
    const doc = await s.api(Doc).insert({ docNumber: 'CV-doc', docDate: '2026-01-01' });
    const error = await s.commit().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OptimisticLockError);
    expect((error as OptimisticLockError).ids).to.deep.equal([b]);
    await s.close();
    expect(await countRows('account', `id = ${a} and balance = 0`)).to.equal(1);
    expect(await countRows('doc', `id = ${doc.id}`)).to.equal(0);
  });

  it('two sessions racing on a versioned row: the second gets OPTIMISTIC_LOCK, the first is kept', async () => {
    const id = await db.transaction(async (s) => (await s.api(Account).insert({ code: 'race' })).id);
    const first = await db.session();
    const second = await db.session();
    const a = await first.api(Account).load(id);
    const b = await second.api(Account).load(id);
    expect(a.get('version')).to.equal(1);
    a.set('balance', '100');
    b.set('balance', '200');
    await first.commit();
    const error = await second.commit().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OptimisticLockError);
    expect((error as OptimisticLockError).code).to.equal('OPTIMISTIC_LOCK');
    expect((error as OptimisticLockError).entity).to.equal('Account');
    expect((error as OptimisticLockError).ids).to.deep.equal([id]);
    await expectAborted(() => second.flush());
    await second.rollback();
    await first.close();
    await second.close();
    const client = await plainClient();
    const r = await client.query('select balance, version from account where id = $1', [String(id)]);
    await client.end();
    expect(r.rows).to.deep.equal([{ balance: '100.00', version: 2 }]);
  });

  it('a versioned delete of a row changed elsewhere raises OPTIMISTIC_LOCK and deletes nothing', async () => {
    const id = await db.transaction(async (s) => (await s.api(Account).insert({ code: 'del' })).id);
    const s = await db.session();
    const row = await s.api(Account).load(id);
    await db.transaction(async (other) => {
      (await other.api(Account).load(id)).set('balance', '5');
    });
    await s.api(Account).delete(row);
    const error = await s.commit().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OptimisticLockError);
    expect((error as OptimisticLockError).ids).to.deep.equal([id]);
    await s.close();
    expect(await countRows('account', `id = ${id}`)).to.equal(1);
  });

  it('the version increments with every flushed update', async () => {
    const id = await db.transaction(async (s) => (await s.api(Account).insert({ code: 'v' })).id);
    const s = await db.session();
    const row = await s.api(Account).load(id);
    row.set('balance', '1');
    await s.flush();
    expect(row.get('version')).to.equal(2);
    row.set('balance', '2');
    await s.flush();
    expect(row.get('version')).to.equal(3);
    await s.commit();
    await s.close();
    expect(await countRows('account', `id = ${id} and version = 3 and balance = 2`)).to.equal(1);
  });
});

async function expectAborted(call: () => Promise<unknown>): Promise<void> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected SESSION_ABORTED').to.be.instanceOf(SessionAbortedError);
  expect((error as SessionAbortedError).code).to.equal('SESSION_ABORTED');
}
