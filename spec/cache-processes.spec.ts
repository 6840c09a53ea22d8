import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Database, SharedCache, tableTag } from '../src/index.js';
import { RedisTier } from '../src/cache/redis-tier.js';
import { Rate } from './support/cached-model.js';
import { PeerProcess } from './support/child-process.js';
import { Doc, allEntities } from './support/model.js';
import { databaseUrl, openFreshDatabase } from './support/test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared cache across processes', function () {
  this.timeout(120_000);

  describe('the Redis tier (REDIS_URL)', () => {
    const url = process.env['REDIS_URL'];
    const prefix = `cellar-procs-${process.pid}:`;
    before(function () {
      if (!url) {
        console.log('      skipped: REDIS_URL is not set (.ci/run sets it when 127.0.0.1:6379 answers)');
        this.skip();
      }
    });

    it('a fill that raced an invalidation is never read after the invalidation returned (200 rounds, three caches)', async () => {
      // The filler is a process that has not heard of the invalidation yet (its pub/sub message is
      // still on the way): its Redis tier alone, asked for the key before the invalidation and
      // filled after it returned. Whatever it writes, no process may read it now.
      const filler = new RedisTier({ url: url as string, prefix });
      const invalidator = new SharedCache({ redis: { url: url as string, prefix } });
      await Promise.all([filler.ready(3000), invalidator.ready(3000)]);
      try {
        for (let round = 0; round < 200; round++) {
          const key = `race:${round}`;
          const tags = [`rt${round}`];
          const miss = await filler.get(key, tags); // it found nothing and went to the database…
          await invalidator.invalidateTagsEverywhere(tags); // …a commit's invalidation returned…
          const now = Date.now();
          await filler.set(key, { value: 'old', freshUntil: now + 60_000, staleUntil: now + 60_000, tags, computeMs: 1 }, miss.ticket); // …then it filled what it read
          const reader = new SharedCache({ redis: { url: url as string, prefix } }); // a third process, nothing in memory
          try {
            await reader.ready(3000);
            expect(await reader.remember(key, { ttlMs: 60_000, tags }, async () => 'fresh'), `round ${round}`).to.equal('fresh');
          } finally {
            await reader.close();
          }
        }
      } finally {
        await Promise.all([filler.close(), invalidator.close()]);
      }
    });

    it('with real processes: a value filled by one is served to another; an invalidation by a third reaches both', async () => {
      const options = JSON.stringify({ redis: { url, prefix } });
      const [a, b, c] = [new PeerProcess('spec/support/cache-process.ts', [options]), new PeerProcess('spec/support/cache-process.ts', [options]), new PeerProcess('spec/support/cache-process.ts', [options])];
      try {
        for (const p of [a, b, c]) await p.ask({ op: 'ready' });
        expect(await a.ask({ op: 'remember', key: 'p:1', tags: ['pt'], value: 'v1' })).to.include({ value: 'v1', loaderCalled: true });
        expect(await b.ask({ op: 'remember', key: 'p:1', tags: ['pt'], value: 'unused' })).to.include({ value: 'v1', loaderCalled: false });
        await c.ask({ op: 'invalidate', tags: ['pt'] });
        await sleep(200); // pub/sub delivery to the memory tiers of a and b
        expect(await a.ask({ op: 'remember', key: 'p:1', tags: ['pt'], value: 'v2' })).to.include({ value: 'v2', loaderCalled: true });
        expect(await b.ask({ op: 'remember', key: 'p:1', tags: ['pt'], value: 'unused' })).to.include({ value: 'v2', loaderCalled: false });
      } finally {
        await Promise.all([a.exit(), b.exit(), c.exit()]);
      }
    });
  });

  describe('by default, the API says how far invalidation reaches', () => {
    it('without broadcast or Redis, db.cache.crossProcess is false and a remembered read says so once, at warn level', async () => {
      const warnings: Record<string, unknown>[] = [];
      const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (d: Record<string, unknown>) => void warnings.push(d) };
      const db = await openFreshDatabase(allEntities, { logger });
      try {
        expect(db.cache.crossProcess).to.equal(false);
        for (let i = 0; i < 3; i++) await db.transaction((s) => s.query(Doc).where({ docNumber: 'x' }).remember({ ttlMs: 60_000 }).all());
        expect(warnings.filter((w) => w['event'] === 'cache-process-local')).to.have.length(1);
      } finally {
        await db.close();
      }
    });

    it('with a cached entity (broadcast on by default), another process\'s commit invalidates a remembered query here', async () => {
      const db: Database = await openFreshDatabase([...allEntities, Rate]);
      try {
        expect(db.cache.crossProcess).to.equal(true);
        await db.transaction(async (s) => void (await s.api(Doc).insert({ docNumber: 'xp-1', docDate: '2026-12-01', total: '1' })));
        const read = () =>
          db.transaction(async (s) => {
            const before = s.stats.statements;
            const [doc] = await s.query(Doc).where({ docNumber: 'xp-1' }).remember({ ttlMs: 60_000, tags: [tableTag('doc')] }).all();
            return { total: doc?.get('total'), statements: s.stats.statements - before };
          });
        expect(await read()).to.deep.equal({ total: '1.00', statements: 1 });
        expect(await read()).to.deep.equal({ total: '1.00', statements: 0 });
        const writer = new PeerProcess('spec/support/db-writer.ts', [databaseUrl()]);
        try {
          expect(await writer.ask({ sql: "update doc set total = 2 where doc_number = 'xp-1'" })).to.include({ ok: true });
        } finally {
          await writer.exit();
        }
        const until = Date.now() + 5000;
        let seen = await read();
        while (seen.total !== '2.00' && Date.now() < until) {
          await sleep(50);
          seen = await read();
        }
        expect(seen.total).to.equal('2.00');
      } finally {
        await db.close();
      }
    });
  });

  describe('the file tier', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'cellar-file-tier-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('survives a restart: a process fills it and exits, a new process reads the value with no loader call, types kept', async () => {
      const options = JSON.stringify({ tiers: `memory,file:${dir}` });
      const first = new PeerProcess('spec/support/cache-process.ts', [options]);
      expect(await first.ask({ op: 'remember', key: 'report', tags: ['t'], value: { total: '12.50', rows: [1, 2, 3] } })).to.include({ loaderCalled: true });
      expect(await first.exit()).to.equal(0);
      const second = new PeerProcess('spec/support/cache-process.ts', [options]);
      try {
        const answer = await second.ask<{ value: unknown; loaderCalled: boolean }>({ op: 'remember', key: 'report', tags: ['t'], value: 'unused' });
        expect(answer).to.deep.include({ loaderCalled: false, value: { total: '12.50', rows: [1, 2, 3] } });
        await second.ask({ op: 'invalidate', tags: ['t'] });
        expect(await second.ask({ op: 'remember', key: 'report', tags: ['t'], value: 'recomputed' })).to.include({ value: 'recomputed', loaderCalled: true });
      } finally {
        await second.exit();
      }
    });

    it('two processes writing and reading the same keys in one directory never read a torn value', async () => {
      const [a, b] = [new PeerProcess('spec/support/cache-process.ts', ['{}']), new PeerProcess('spec/support/cache-process.ts', ['{}'])];
      try {
        const hammer = { op: 'hammer', dir, keys: 5, size: 200_000, ms: 3000 };
        const results = await Promise.all([a.ask<{ reads: number; writes: number; torn: number }>(hammer), b.ask<{ reads: number; writes: number; torn: number }>(hammer)]);
        for (const r of results) {
          expect(r.torn).to.equal(0);
          expect(r.reads).to.be.greaterThan(10);
          expect(r.writes).to.be.greaterThan(10);
        }
      } finally {
        await Promise.all([a.exit(), b.exit()]);
      }
    });

    it('is configured by CELLAR_CACHE when the options name no tiers; explicit options win', async () => {
      const before = process.env['CELLAR_CACHE'];
      process.env['CELLAR_CACHE'] = `memory:500,file:${dir}`;
      try {
        const fromEnv = await openFreshDatabase(allEntities);
        const explicit = await openFreshDatabase(allEntities, { cache: { tiers: [{ kind: 'memory', maxEntries: 10 }] } });
        try {
          expect(Object.keys(fromEnv.cache.stats.tiers)).to.deep.equal(['memory', 'file']);
          expect(Object.keys(explicit.cache.stats.tiers)).to.deep.equal(['memory']);
        } finally {
          await fromEnv.close();
          await explicit.close();
        }
      } finally {
        if (before === undefined) delete process.env['CELLAR_CACHE'];
        else process.env['CELLAR_CACHE'] = before;
      }
    });
  });
});
