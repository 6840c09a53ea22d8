import { expect } from 'chai';
import { type CacheEvent, SharedCache } from '../src/index.js';
import { decodeValue, encodeValue } from '../src/cache/value-codec.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shared cache: the in-process tier (partial issue 6)', () => {
  it('100 concurrent misses of one key run the loader once', async () => {
    const cache = new SharedCache();
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(20);
      return { rate: '1.2345' };
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.remember('rate:EUR', { ttlMs: 1000 }, loader)));
    expect(calls).to.equal(1);
    expect(new Set(results).size).to.equal(1);
    expect(cache.stats).to.include({ misses: 100, loaderCalls: 1 });
    await cache.remember('rate:EUR', { ttlMs: 1000 }, loader);
    expect(cache.stats.hits).to.equal(1);
  });

  it('expires after ttlMs; with staleWhileRevalidateMs serves stale once and refreshes in the background (a fake clock)', async () => {
    let now = 1_000_000;
    const cache = new SharedCache({ now: () => now });
    let version = 0;
    const loader = async () => ++version;
    expect(await cache.remember('k', { ttlMs: 30 }, loader)).to.equal(1);
    now += 29;
    expect(await cache.remember('k', { ttlMs: 30 }, loader)).to.equal(1);
    now += 1;
    expect(await cache.remember('k', { ttlMs: 30 }, loader)).to.equal(2);
    expect(await cache.remember('s', { ttlMs: 20, staleWhileRevalidateMs: 1000 }, loader)).to.equal(3);
    now += 30;
    expect(await cache.remember('s', { ttlMs: 20, staleWhileRevalidateMs: 1000 }, loader)).to.equal(3); // stale, refresh started
    await cache.settled();
    expect(await cache.remember('s', { ttlMs: 20, staleWhileRevalidateMs: 1000 }, loader)).to.equal(4);
    now += 2000; // past stale too: a plain miss
    expect(await cache.remember('s', { ttlMs: 20, staleWhileRevalidateMs: 1000 }, loader)).to.equal(5);
    expect(cache.stats.staleHits).to.equal(1);
  });

  it('invalidateTags removes every value of the tags; forget removes one key', async () => {
    const cache = new SharedCache();
    await cache.remember('a', { ttlMs: 10_000, tags: ['doc', 'x'] }, async () => 1);
    await cache.remember('b', { ttlMs: 10_000, tags: ['doc'] }, async () => 2);
    await cache.remember('c', { ttlMs: 10_000, tags: ['line'] }, async () => 3);
    expect(cache.invalidateTags(['doc'])).to.equal(2);
    let calls = 0;
    expect(await cache.remember('a', { ttlMs: 10_000 }, async () => (calls++, 10))).to.equal(10);
    expect(await cache.remember('c', { ttlMs: 10_000 }, async () => (calls++, 30))).to.equal(3);
    expect(cache.forget('c')).to.equal(true);
    expect(await cache.remember('c', { ttlMs: 10_000 }, async () => (calls++, 30))).to.equal(30);
    expect(calls).to.equal(2);
    expect(cache.stats.invalidations).to.equal(3);
  });

  it('an invalidation racing a load never leaves the old value cached (200 rounds)', async () => {
    const cache = new SharedCache();
    let committed = 0;
    for (let round = 0; round < 200; round++) {
      const seen = committed;
      const reader = cache.remember('row', { ttlMs: 60_000, tags: ['doc'] }, async () => {
        await sleep(Math.random() * 2);
        return seen; // a read of the old committed value
      });
      await sleep(Math.random() * 2);
      committed++; // a writer commits, then invalidates
      cache.invalidateTags(['doc']);
      await reader;
      const cached = await cache.remember('row', { ttlMs: 60_000, tags: ['doc'] }, async () => committed);
      expect(cached, `round ${round}`).to.equal(committed);
      cache.invalidateTags(['doc']);
    }
  });

  it('holds to maxBytes, evicting the least recently used entries', async () => {
    const events: CacheEvent[] = [];
    const cache = new SharedCache({ maxBytes: 10_000, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 100; i++) await cache.remember(`k${i}`, { ttlMs: 60_000 }, async () => 'x'.repeat(1000));
    const stats = cache.stats;
    expect(stats.bytes).to.be.at.most(10_000);
    expect(stats.entries).to.be.below(10);
    expect(stats.evictions).to.be.greaterThan(90);
    expect(events.filter((e) => e.type === 'evict')).to.have.length(stats.evictions);
  });

  it('keeps bigint, Date and numeric strings through encoding', () => {
    const value = { id: 9223372036854775807n, at: new Date('2026-11-21T10:00:00.000Z'), qty: '2.500', list: [1n, null] };
    expect(decodeValue(encodeValue(value))).to.deep.equal(value);
  });

  it('a failing loader stores nothing and the next call loads again', async () => {
    const cache = new SharedCache();
    const error = await cache.remember('f', { ttlMs: 1000 }, async () => Promise.reject(new Error('db down'))).catch((e: Error) => e);
    expect((error as Error).message).to.equal('db down');
    expect(await cache.remember('f', { ttlMs: 1000 }, async () => 'ok')).to.equal('ok');
  });
});
