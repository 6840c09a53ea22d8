import { expect } from 'chai';
import { cached, col, type Database, SharedCache, tableTag, UsageError } from '../src/index.js';
import { decodeValue, encodeValue } from '../src/cache/value-codec.js';
import { expectRejection } from './support/expect-rejection.js';
import { Doc, Sample, allEntities } from './support/model.js';
import { openFreshDatabase, plainClient } from './support/test-database.js';

/** A promise and the function that resolves it: lets a spec hold a loader until it says so. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared cache guarantees: never stale after an invalidation, never dirty after a rollback', () => {
  it('single flight: a call after an invalidation never joins a load that started before it (200 rounds)', async () => {
    const cache = new SharedCache();
    for (let round = 0; round < 200; round++) {
      const key = `k${round}`;
      const slow = gate<string>();
      const before = cache.remember(key, { ttlMs: 60_000, tags: ['t'] }, () => slow.promise);
      cache.invalidateTags(['t']); // the commit that made 'old' stale has returned
      const after = cache.remember(key, { ttlMs: 60_000, tags: ['t'] }, async () => 'new');
      slow.open('old');
      expect(await before).to.equal('old'); // the caller that started with the old state may see it…
      expect(await after).to.equal('new'); // …one that started after the invalidation never does
      expect(await cache.remember(key, { ttlMs: 60_000, tags: ['t'] }, async () => 'unused')).to.equal('new');
    }
    await cache.close();
  });

  describe('with a database', () => {
    let db: Database;
    before(async () => {
      db = await openFreshDatabase(allEntities);
    });
    after(() => db.close());

    it('a remembered query after a commit returned is never served by a load that read before it', async () => {
      await db.transaction(async (s) => void (await s.api(Doc).insert({ docNumber: 'sf-1', docDate: '2026-12-01', total: '1' })));
      const query = (s: Awaited<ReturnType<Database['session']>>) =>
        s.select("select total, pg_sleep(0.05) as z from doc where doc_number = 'sf-1'", {}, { total: col.decimal(), z: col.text({ nullable: true }) }, { remember: { ttlMs: 60_000, tags: [tableTag('doc')] } });
      for (let round = 0; round < 10; round++) {
        const early = db.transaction(query); // its read starts now, before the commit below
        await sleep(10);
        await db.transaction(async (s) => (await s.query(Doc).where({ docNumber: 'sf-1' }).first())?.set('total', String(round + 2)));
        const late = await db.transaction(query);
        expect(late[0]?.total).to.equal(`${round + 2}.00`);
        await early;
      }
    });

    it('a query tagged with a table the transaction wrote stores nothing: after its rollback no session gets the uncommitted rows', async () => {
      // Samples whose label names a document: the query reads sample, and depends on doc (its tag).
      await db.transaction(async (s) => void (await s.api(Sample).insert({ label: 'dirty-doc' })));
      const tagged = (s: Awaited<ReturnType<Database['session']>>) =>
        s.query(Sample).whereSql('exists (select 1 from doc d where d.doc_number = t.label)').remember({ ttlMs: 60_000, tags: [tableTag('doc')] });
      const s = await db.session();
      try {
        await s.api(Doc).insert({ docNumber: 'dirty-doc', docDate: '2026-12-01' });
        await s.flush();
        expect((await tagged(s).all()).map((r) => r.get('label'))).to.deep.equal(['dirty-doc']); // sees its own uncommitted doc
        await s.rollback();
      } finally {
        await s.close();
      }
      const seen = await db.transaction(async (t) => {
        const before = t.stats.statements;
        const rows = await tagged(t).all();
        return { labels: rows.map((r) => r.get('label')), statements: t.stats.statements - before };
      });
      expect(seen).to.deep.equal({ labels: [], statements: 1 });
    });

    it('refresh-ahead of a remembered query never holds a connection after its session closed (200 rounds); db.close() resolves', async () => {
      const other = await openFreshDatabase(allEntities);
      const q = (s: Awaited<ReturnType<Database['session']>>, round: number) =>
        s.query(Doc).where({ docNumber: `refresh-${round}` }).remember({ ttlMs: 1, staleWhileRevalidateMs: 60_000 });
      for (let round = 0; round < 200; round++) {
        await other.transaction((s) => q(s, round).all());
        await sleep(2); // stale now: the next call refreshes in the background
        await other.transaction((s) => q(s, round).all());
      }
      const closed = await Promise.race([other.close().then(() => true), sleep(10_000).then(() => false)]);
      expect(closed, 'db.close() resolved').to.equal(true);
      expect(other.poolStats.total - other.poolStats.idle).to.equal(0);
      const client = await plainClient();
      const r = await client.query<{ n: string }>("select count(*) as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'");
      await client.end();
      expect(Number(r.rows[0]?.n)).to.equal(0);
    });
  });

  it('a loader that returns undefined: returned, not stored, no crash; null is a value and is stored', async () => {
    const cache = new SharedCache();
    let calls = 0;
    const load = async (): Promise<undefined> => void calls++;
    expect(await cache.remember('u', { ttlMs: 60_000 }, load)).to.equal(undefined);
    expect(await cache.remember('u', { ttlMs: 60_000 }, load)).to.equal(undefined);
    expect(calls).to.equal(2);
    let nulls = 0;
    expect(await cache.remember('n', { ttlMs: 60_000 }, async () => (nulls++, null))).to.equal(null);
    expect(await cache.remember('n', { ttlMs: 60_000 }, async () => (nulls++, null))).to.equal(null);
    expect(nulls).to.equal(1);
    await cache.close();
  });

  it('@cached: two classes of one name do not share results (the second must name a namespace); a missing cache rejects', async () => {
    const cache = new SharedCache();
    const make = (answer: string, namespace?: string) => {
      class Rates {
        readonly cache = cache;
        @cached({ ttlMs: 60_000, namespace })
        async rate(code: string): Promise<string> {
          return `${answer}:${code}`;
        }
      }
      return new Rates();
    };
    const first = make('first');
    expect(() => make('second')).to.throw(UsageError, /namespace/);
    const second = make('second', 'rates-second');
    expect(await first.rate('EUR')).to.equal('first:EUR');
    expect(await second.rate('EUR')).to.equal('second:EUR');
    class NoCache {
      @cached({ ttlMs: 1000 })
      async value(): Promise<number> {
        return 1;
      }
    }
    let result: Promise<number> | undefined;
    expect(() => (result = new NoCache().value())).not.to.throw();
    await expectRejection(result as Promise<number>, UsageError);
    await cache.close();
  });

  it('the value encoding round-trips every JSON value: objects shaped like its own markers stay objects', () => {
    const values: unknown[] = [
      { $date: '2026-12-01T00:00:00.000Z' },
      { $bigint: '12' },
      { $$date: 'x', $: 1, a: { $bigint: 'not a number' } },
      [{ $date: 1 }, '$bigint', null, true, 1.5],
      { id: 12n, at: new Date('2026-12-01T10:00:00Z'), nested: [{ $bigint: 'literal' }, 3n] },
    ];
    for (const v of values) expect(decodeValue(encodeValue(v))).to.deep.equal(v);
  });

  it('statistics per tier; loaderCalls counts only loader calls', async () => {
    const cache = new SharedCache({ maxEntries: 10 });
    await cache.remember('a', { ttlMs: 60_000 }, async () => 1);
    await cache.remember('a', { ttlMs: 60_000 }, async () => 1);
    await cache.remember('b', { ttlMs: 60_000 }, async () => 2);
    const stats = cache.stats;
    expect(stats).to.include({ hits: 1, misses: 2, loaderCalls: 2 });
    expect(stats.loaderTimeMs).to.be.a('number');
    expect(stats.tiers['memory']).to.deep.equal({ hits: 1, misses: 2, fills: 2, evictions: 0, errors: 0 });
    await cache.close();
  });

  it('probabilistic early expiration: far from expiry never refreshes early, right before it almost always does', async () => {
    const cache = new SharedCache();
    let loads = 0;
    const slowLoader = async () => {
      loads++;
      await sleep(40); // computeMs ≈ 40: the scale of the early window
      return loads;
    };
    await cache.remember('far', { ttlMs: 60_000, earlyRefresh: 1 }, slowLoader);
    for (let i = 0; i < 1000; i++) await cache.remember('far', { ttlMs: 60_000, earlyRefresh: 1 }, slowLoader);
    expect(cache.stats.earlyRefreshes).to.equal(0);
    await cache.remember('near', { ttlMs: 60, earlyRefresh: 1 }, slowLoader);
    await sleep(50); // 10 ms before expiry, against a 40 ms computation
    let early = 0;
    for (let i = 0; i < 20; i++) {
      const before = cache.stats.earlyRefreshes;
      await cache.remember('near', { ttlMs: 60, earlyRefresh: 1 }, slowLoader);
      if (cache.stats.earlyRefreshes > before) early++;
    }
    expect(early).to.be.greaterThan(0);
    await cache.close();
  });
});
