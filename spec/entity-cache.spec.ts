import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cached, type Database, tableTag } from '../src/index.js';
import { Rate } from './support/cached-model.js';
import { databaseUrl, openFreshDatabase, plainClient, inRolledBackSession } from './support/test-database.js';

describe('entity cache: rows of cached entities shared between sessions (partial issue 6)', () => {
  let db: Database;
  let ids: bigint[];

  before(async () => {
    db = await openFreshDatabase([Rate]);
    ids = await db.transaction(async (s) => {
      const out = [];
      for (const code of ['EUR', 'USD', 'GBP']) out.push((await s.api(Rate).insert({ code, rate: '1.5', at: new Date('2026-11-21T00:00:00Z') })).id);
      return out;
    });
  });
  after(() => db.close());

  it('load, find and loadMany look in the shared cache after the transaction cache: 0 statements, types kept', async () => {
    await db.transaction((s) => s.api(Rate).loadMany(ids));
    await inRolledBackSession(db, async (s) => {
      const [eur] = await s.api(Rate).loadMany(ids);
      const usd = await s.api(Rate).load(ids[1]!);
      expect(await s.api(Rate).find(ids[2]!)).to.not.equal(undefined);
      expect(s.stats.statements).to.equal(0);
      expect(eur!.get('rate')).to.equal('1.500000');
      expect(eur!.get('at')).to.be.instanceOf(Date);
      expect(typeof usd.id).to.equal('bigint');
      eur!.set('rate', '9'); // a session's change never leaks into the shared copy
    });
    const rate = await db.transaction(async (s) => (await s.api(Rate).load(ids[0]!)).get('rate'));
    expect(rate).to.equal('1.500000');
    expect(db.cache.stats.rowHits).to.be.greaterThan(0);
  });

  it('a commit that changes or deletes rows invalidates them before commit() returns', async () => {
    await db.transaction((s) => s.api(Rate).loadMany(ids));
    await db.transaction(async (s) => {
      (await s.api(Rate).load(ids[0]!)).set('rate', '2');
    });
    const [rate, statements] = await db.transaction(async (s) => [(await s.api(Rate).load(ids[0]!)).get('rate'), s.stats.statements] as const);
    expect(rate).to.equal('2.000000');
    expect(statements).to.equal(1);
  });

  it('a transaction that wrote the table neither reads nor fills the shared copies', async () => {
    await db.transaction((s) => s.api(Rate).loadMany(ids));
    await inRolledBackSession(db, async (s) => {
      const usd = await s.api(Rate).load(ids[1]!); // from the cache: nothing written yet
      usd.set('rate', '3');
      await s.flush(true);
      const again = await s.api(Rate).load(ids[1]!); // the table was written: from the database
      expect(again.get('rate')).to.equal('3.000000');
    });
    expect(await db.transaction(async (s) => (await s.api(Rate).load(ids[1]!)).get('rate'))).to.equal('1.500000');
  });

  it('a read that an invalidation overtakes stores nothing (deterministic)', () => {
    const rows = db.cache.rowsOf('rate', { ttlMs: 60_000, maxEntries: 10 });
    const old = [7n, 'OLD', '1.000000', null];
    let ticket = rows.beginRead();
    const keyOf = Rate.meta.key.mapKeyOfRow;
    rows.invalidate([7]); // a commit lands while the read is in flight
    rows.put(ticket, [old], keyOf);
    expect(rows.get(7)).to.equal(undefined);
    ticket = rows.beginRead();
    rows.invalidate('all');
    rows.put(ticket, [old], keyOf);
    expect(rows.get(7)).to.equal(undefined);
    ticket = rows.beginRead();
    rows.put(ticket, [old], keyOf); // no invalidation meanwhile: stored
    expect(rows.get(Rate.meta.key.mapKeyOf(7n))).to.deep.equal(old);
    rows.invalidate('all');
  });

  it('REPEATABLE READ and SERIALIZABLE sessions bypass the shared copies', async () => {
    await db.transaction((s) => s.api(Rate).loadMany(ids));
    const statements = await db.transaction(async (s) => {
      await s.api(Rate).loadMany(ids);
      return s.stats.statements;
    }, { isolation: 'repeatable read' });
    expect(statements).to.equal(1);
  });

  it('readers racing committing writers end with the committed value (200 rounds)', async () => {
    const other = await plainClient();
    try {
      for (let round = 0; round < 200; round++) {
        const value = `${round}.25`;
        db.cache.invalidateRows('rate', 'all');
        const reader = db.transaction(async (s) => (await s.api(Rate).load(ids[2]!)).get('rate'));
        const writer = db.transaction(async (s) => {
          (await s.api(Rate).load(ids[2]!)).set('rate', value);
        });
        await Promise.all([reader, writer]);
        const seen = await db.transaction(async (s) => (await s.api(Rate).load(ids[2]!)).get('rate'));
        const truth = (await other.query<{ rate: string }>('select rate from rate where id = $1', [String(ids[2])])).rows[0]?.rate;
        expect(seen, `round ${round}`).to.equal(truth);
      }
    } finally {
      await other.end();
    }
  });

  it('a commit in one process invalidates another process\'s cached row within 1 s (LISTEN/NOTIFY)', async function () {
    this.timeout(30_000);
    const peer = spawn(process.execPath, ['--import', 'tsx', 'spec/support/cache-peer.ts', databaseUrl(), String(ids[0])], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: peer.stdout });
    const next = (prefix: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`peer said no "${prefix}" in time`)), 15_000);
        const onLine = (line: string): void => {
          if (!line.startsWith(prefix)) return;
          clearTimeout(timer);
          lines.off('line', onLine);
          resolve(line);
        };
        lines.on('line', onLine);
      });
    try {
      await next('cached');
      const invalidated = next('invalidated');
      const committedAt = Date.now();
      await db.transaction(async (s) => {
        (await s.api(Rate).load(ids[0]!)).set('rate', '42');
      });
      const at = Number((await invalidated).split(' ')[1]);
      expect(at - committedAt).to.be.below(1000);
      peer.stdin.write('check\n');
      expect(await next('value')).to.equal('value 42.000000 statements 1');
    } finally {
      peer.kill();
    }
  });
});

describe('cache preload and the @cached decorator (partial issue 6)', () => {
  let db: Database;
  before(async () => {
    db = await openFreshDatabase([Rate]);
    await db.transaction(async (s) => {
      for (let i = 0; i < 25; i++) await s.api(Rate).insert({ code: `C${i}`, rate: `${i}.5` });
    });
  });
  after(() => db.close());

  it('preload warms the row cache in batched statements; later loads issue none', async () => {
    const ids = await db.transaction(async (s) => (await s.query(Rate).all()).map((r) => r.id));
    db.cache.invalidateRows('rate', 'all');
    expect(await db.cache.preload(Rate, ids.slice(0, 20))).to.equal(20);
    expect(await db.cache.preload(Rate, { where: { code: { in: ['C20', 'C21', 'C22', 'C23', 'C24'] } } })).to.equal(5);
    const statements = await db.transaction(async (s) => {
      await s.api(Rate).loadMany(ids);
      return s.stats.statements;
    });
    expect(statements).to.equal(0);
  });

  it('@cached runs a method once per arguments until its tags are invalidated', async () => {
    let calls = 0;
    class Rates {
      constructor(readonly database: Database) {}
      get cache() {
        return this.database.cache;
      }
      @cached({ ttlMs: 60_000, tags: [tableTag('rate')] })
      async rateOf(code: string): Promise<string | undefined> {
        calls++;
        return this.database.transaction(async (s) => (await s.query(Rate).where({ code }).first())?.get('rate'));
      }
    }
    const rates = new Rates(db);
    expect(await rates.rateOf('C1')).to.equal('1.500000');
    expect(await rates.rateOf('C1')).to.equal('1.500000');
    expect(await rates.rateOf('C2')).to.equal('2.500000');
    expect(calls).to.equal(2);
    await db.transaction(async (s) => {
      (await s.query(Rate).where({ code: 'C1' }).first())!.set('rate', '7');
    });
    expect(await rates.rateOf('C1')).to.equal('7.000000');
    expect(calls).to.equal(3);
  });
});
