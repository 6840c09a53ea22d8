// A second (third…) process for the cross-process cache specs. It reads one JSON command per line on
// stdin and answers one JSON line on stdout. Usage: tsx spec/support/cache-process.ts '<cache options JSON>'
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { SharedCache, type SharedCacheOptions } from '../../src/index.js';
import { FileTier } from '../../src/cache/file-tier.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SharedCacheOptions;
const cache = new SharedCache(options);

type Command =
  | { op: 'ready' }
  | { op: 'remember'; key: string; tags: string[]; value: unknown }
  | { op: 'invalidate'; tags: string[] }
  | { op: 'hammer'; dir: string; keys: number; size: number; ms: number }
  | { op: 'exit' };

/** A value that checks itself: a torn or mixed one fails `intact`. */
function valueOf(key: string, n: number, size: number): { key: string; n: number; body: string; sum: string } {
  const body = `${key}:${n}:`.padEnd(size, String(n % 10));
  return { key, n, body, sum: createHash('sha256').update(body).digest('hex') };
}
function intact(v: { body?: string; sum?: string }): boolean {
  return typeof v.body === 'string' && createHash('sha256').update(v.body).digest('hex') === v.sum;
}

async function handle(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'ready':
      await cache.ready(3000);
      return { ok: true };
    case 'remember': {
      let loaderCalled = false;
      const value = await cache.remember(command.key, { ttlMs: 60_000, tags: command.tags }, async () => ((loaderCalled = true), command.value));
      await cache.settled();
      return { value, loaderCalled, stats: cache.stats.tiers };
    }
    case 'invalidate':
      await cache.invalidateTagsEverywhere(command.tags);
      return { ok: true };
    case 'hammer': {
      // Writes and reads the same keys as another process, through the file tier itself.
      const tier = new FileTier({ dir: command.dir });
      let reads = 0;
      let writes = 0;
      let torn = 0;
      const until = Date.now() + command.ms;
      for (let n = 0; Date.now() < until; n++) {
        const key = `k${n % command.keys}`;
        const read = await tier.get(key, []);
        if (read.entry) {
          reads++;
          if (!intact(read.entry.value as { body?: string; sum?: string })) torn++;
        }
        await tier.set(key, { value: valueOf(key, n, command.size), freshUntil: Date.now() + 60_000, staleUntil: Date.now() + 60_000, tags: [], computeMs: 1 }, read.ticket);
        writes++;
      }
      await tier.close();
      return { reads, writes, torn };
    }
    case 'exit':
      await cache.close();
      process.exit(0);
  }
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    try {
      process.stdout.write(`${JSON.stringify(await handle(JSON.parse(line) as Command), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ error: String(e) })}\n`);
    }
  });
});
