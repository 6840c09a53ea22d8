import { expect } from 'chai';
import { col, type Database, defineEntity, LockNotAvailableError, type Session, ValidationError } from '../src/index.js';
import { barrier } from './support/barrier.js';
import { expectRejection } from './support/expect-rejection.js';
import { openFreshDatabase, queryDb, StatementLog } from './support/test-database.js';

const Counter = defineEntity({
  name: 'Counter',
  table: 'lock_counter',
  columns: {
    id: col.id(),
    n: col.int(),
    amount: col.decimal({ precision: 18, scale: 3, default: '0' }),
    big: col.bigint({ default: 0n }),
    label: col.text({ maxLength: 20, default: 'c' }),
  },
  indexes: { byLabel: ['label'] },
});

const Ledger = defineEntity({
  name: 'Ledger',
  table: 'lock_ledger',
  columns: { id: col.id(), balance: col.decimal({ precision: 18, scale: 2 }), version: col.version() },
});


describe('pessimistic locks and atomic increments (READ COMMITTED)', () => {
  const log = new StatementLog();
  let db: Database;
  let ids: bigint[];
  before(async () => {
    db = await openFreshDatabase([Counter, Ledger], { onStatement: log.listener });
    ids = await db.transaction(async (s) => {
      const rows = [];
      for (let i = 0; i < 6; i++) rows.push(await s.api(Counter).insert({ n: 0, label: i < 3 ? 'low' : 'high' }));
      return rows.map((r) => r.id);
    });
  });
  after(() => db.close());
  const first = (): bigint => ids[0] as bigint;

  async function counterValue(id: bigint): Promise<number> {
    const [row] = await queryDb<{ n: number }>('select n from lock_counter where id = $1', [id]);
    return Number(row?.n);
  }

  it('two sessions incrementing one counter with increment() never lose an update (200 rounds)', async () => {
    const start = await counterValue(first());
    for (let round = 0; round < 200; round++) {
      const meet = barrier(2);
      // Both read the row before either writes: with set(n + 1) the second commit would overwrite the first.
      const bump = (): Promise<void> =>
        db.transaction(async (s) => {
          const c = await s.api(Counter).load(first());
          await meet();
          c.increment('n', 1);
        });
      await Promise.all([bump(), bump()]);
    }
    expect(await counterValue(first())).to.equal(start + 400);
  });

  it('the same race with set() loses updates: the spec above can fail', async () => {
    const start = await counterValue(first());
    const meet = barrier(2);
    const bump = (): Promise<void> =>
      db.transaction(async (s) => {
        const c = await s.api(Counter).load(first());
        await meet();
        c.set('n', c.get('n') + 1);
      });
    await Promise.all([bump(), bump()]);
    expect(await counterValue(first())).to.equal(start + 1);
  });

  it('two sessions locking the counter (load with lock) and setting it end with the right total (200 rounds)', async () => {
    const start = await counterValue(first());
    const bump = (): Promise<void> =>
      db.transaction(async (s) => {
        const c = await s.api(Counter).load(first(), { lock: 'update' });
        c.set('n', c.get('n') + 1);
      });
    for (let round = 0; round < 200; round++) await Promise.all([bump(), bump()]);
    expect(await counterValue(first())).to.equal(start + 400);
  });

  it('a locked load always reads (one statement each, FOR UPDATE OF t) and never returns a stale cached row', async () => {
    await db.transaction(async (s) => {
      const c = await s.api(Counter).load(first());
      const before = c.get('n');
      await queryDb('update lock_counter set n = n + 10 where id = $1', [first()]);
      expect((await s.api(Counter).load(first())).get('n')).to.equal(before); // cached: the session's snapshot of the row
      const statements = s.stats.statements;
      log.clear();
      const locked = await s.api(Counter).load(first(), { lock: 'update' });
      expect(locked).to.equal(c); // the same rop, refreshed
      expect(locked.get('n')).to.equal(before + 10);
      await s.api(Counter).load(first(), { lock: 'share' });
      expect(s.stats.statements - statements).to.equal(2);
      expect(log.sql[0]).to.match(/WHERE t\."id" = \$1::int8 FOR UPDATE OF t$/); // one key: a plain equality
      expect(log.sql[1]).to.match(/FOR SHARE OF t$/);
    });
  });

  it('loadMany locks in key order: two sessions locking the same rows in opposite orders never deadlock (200 rounds)', async () => {
    const forward = ids.slice(0, 4);
    const backward = [...forward].reverse();
    const lockAll = (order: bigint[]): Promise<void> =>
      db.transaction(async (s) => {
        log.clear();
        const rows = await s.api(Counter).loadMany(order, { lock: 'noKeyUpdate' });
        expect(rows.map((r) => r.id)).to.deep.equal(order); // in the order asked, locked in key order
        expect(log.sql[0]).to.match(/ORDER BY t\."id" FOR NO KEY UPDATE OF t$/);
        for (const r of rows) r.increment('big', 1n);
      });
    const before = await queryDb<{ big: string }>('select big from lock_counter where id = $1', [forward[0]]);
    for (let round = 0; round < 200; round++) await Promise.all([lockAll(forward), lockAll(backward)]);
    const after = await queryDb<{ big: string }>('select big from lock_counter where id = $1', [forward[0]]);
    expect(BigInt(after[0]?.big ?? 0) - BigInt(before[0]?.big ?? 0)).to.equal(400n);
  });

  it('skipLocked returns the rows other sessions do not hold; noWait fails with LOCK_NOT_AVAILABLE', async () => {
    const holder = await db.session();
    const other = await db.session();
    try {
      const held = await holder.query(Counter).where({ label: 'low' }).orderBy('id').lock('update').all();
      expect(held.map((r) => r.id)).to.deep.equal(ids.slice(0, 3));
      const free = await other.query(Counter).orderBy('id').limit(10).lock('update', { skipLocked: true }).all();
      expect(free.map((r) => r.id)).to.deep.equal(ids.slice(3));
      expect((await other.api(Counter).loadMany(ids, { lock: 'update', skipLocked: true })).map((r) => r.id)).to.deep.equal(ids.slice(3));
      expect(await other.api(Counter).find(first(), { lock: 'update', skipLocked: true })).to.equal(undefined);
      expect((await other.api(Counter).index('byLabel').byKey('low', { lock: 'update', skipLocked: true })).length).to.equal(0);
      expect((await other.api(Counter).index('byLabel').byKey('high', { lock: 'update', skipLocked: true })).length).to.equal(3);
      const started = Date.now();
      const refused = await expectRejection(other.api(Counter).load(first(), { lock: 'update', noWait: true }), LockNotAvailableError);
      expect(refused.code).to.equal('LOCK_NOT_AVAILABLE');
      expect(refused.sqlState).to.equal('55P03');
      expect(Date.now() - started).to.be.lessThan(2000); // nothing waited
      await other.rollback(); // the aborted session is usable again
      expect((await other.api(Counter).load(ids[5] as bigint)).id).to.equal(ids[5]);
    } finally {
      await holder.close();
      await other.close();
    }
  });

  it('refuses a bad lock before any statement', async () => {
    const s = await db.session();
    try {
      const before = s.stats.statements;
      await expectRejection(s.api(Counter).load(first(), { lock: 'exclusive' as never }), ValidationError);
      await expectRejection(s.api(Counter).load(first(), { lock: 'update', noWait: true, skipLocked: true }), ValidationError);
      expect(() => s.query(Counter).lock('update').remember({ ttlMs: 1000 })).to.throw(/always reads the database/);
      expect(s.stats.statements).to.equal(before);
    } finally {
      await s.close();
    }
  });

  it('increment(): batched with other updates of the same columns, exact for decimals, read back from the database', async () => {
    await db.transaction(async (s) => {
      const rows = await s.api(Counter).loadMany(ids);
      for (const r of rows) r.increment('amount', '0.1').increment('n', 2);
      for (let i = 0; i < 9; i++) rows[0]?.increment('amount', '0.1');
      const amount = rows[0]?.get('amount');
      // Another transaction adds to the same row before the flush: the rop reads the database's sum after it.
      await queryDb('update lock_counter set amount = amount + 5 where id = $1', [first()]);
      log.clear();
      const statements = s.stats.statements;
      await s.flush();
      expect(s.stats.statements - statements).to.equal(1); // one column set (amount, n incremented), whatever the deltas
      expect(log.sql.every((q) => /"amount" = t\."amount" \+ u\.c\d/.test(q) && /RETURNING/.test(q))).to.equal(true);
      expect(rows[0]?.get('amount')).to.equal(addThree(amount as string, '5.000'));
    });
    const [row] = await queryDb<{ amount: string }>('select amount::text from lock_counter where id = $1', [ids[1]]);
    expect(row?.amount).to.match(/^\d+\.\d00$/);
  });

  it('increment(): a later set() wins, an increment on a set value is a plain change, bad input is VALIDATION and changes nothing', async () => {
    await db.transaction(async (s) => {
      const c = await s.api(Counter).load(ids[2] as bigint);
      const n = c.get('n');
      c.increment('n', 5).set('n', 1).increment('n', 1);
      expect(c.get('n')).to.equal(2);
      expect(() => c.increment('label', 'x')).to.throw(ValidationError, /increment takes/);
      expect(() => c.increment('n', 2 ** 31)).to.throw(ValidationError);
      expect(() => c.increment('n', 0.5)).to.throw(ValidationError);
      expect(() => c.increment('amount', '0.0001')).to.throw(ValidationError);
      expect(c.get('n')).to.equal(2);
      log.clear();
      await s.flush();
      expect(log.sql.join('\n')).to.match(/"n" = u\.c0/).and.not.match(/RETURNING/);
      expect(n).to.be.a('number');
    });
    expect(await counterValue(ids[2] as bigint)).to.equal(2);
  });

  it('incrementAndGet: one statement, the value now; concurrent callers each get their own number (200 rounds)', async () => {
    const seen = new Set<number>();
    for (let round = 0; round < 200; round++) {
      const take = (): Promise<number> =>
        db.transaction(async (s) => {
          const c = await s.api(Counter).load(ids[4] as bigint);
          const statements = s.stats.statements;
          const next = await s.api(Counter).incrementAndGet(c, 'n', 1);
          expect(s.stats.statements - statements).to.equal(1);
          expect(c.get('n')).to.equal(next);
          return next;
        });
      for (const n of await Promise.all([take(), take()])) seen.add(n);
    }
    expect(seen.size).to.equal(400);
  });

  it('incrementAndGet on a versioned row bumps its version, so later changes of the session still flush', async () => {
    const id = await db.transaction(async (s) => (await s.api(Ledger).insert({ balance: '10.00' })).id);
    await db.transaction(async (s) => {
      const l = await s.api(Ledger).load(id);
      l.increment('balance', '1.00');
      expect(await s.api(Ledger).incrementAndGet(l, 'balance', '0.50')).to.equal('11.50');
      expect(l.get('version')).to.equal(2);
      l.increment('balance', '1.00');
    });
    const [row] = await queryDb<{ balance: string; version: number }>('select balance::text, version from lock_ledger where id = $1', [id]);
    expect(row).to.deep.equal({ balance: '12.50', version: 3 });
  });

  it('a row inserted in the session is incremented in memory and inserted with the sum', async () => {
    const id = await db.transaction(async (s: Session) => {
      const c = await s.api(Counter).insert({ n: 1 });
      c.increment('n', 2);
      expect(await s.api(Counter).incrementAndGet(c, 'n', 3)).to.equal(6);
      return c.id;
    });
    expect(await counterValue(id)).to.equal(6);
  });
});

/** a + b for decimal texts of three decimals (test helper; cellar's own sum is under test). */
function addThree(a: string, b: string): string {
  const milli = (t: string): bigint => BigInt(t.replace('.', ''));
  const sum = milli(a) + milli(b);
  const text = sum.toString().padStart(4, '0');
  return `${text.slice(0, -3)}.${text.slice(-3)}`;
}
