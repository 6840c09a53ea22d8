// A second process for the cross-process cache spec: caches a row, then reports the moment another
// process's commit invalidates it. Usage: tsx spec/support/cache-peer.ts <url> <id>
import { Database } from '../../src/index.js';
import { Rate } from './cached-model.js';

const [url, idText] = process.argv.slice(2) as [string, string];
const id = BigInt(idText);
const db = await Database.open({
  url,
  entities: [Rate],
  cache: {
    onEvent: (event) => {
      if (event.type === 'invalidate' && event.key === 'rows:rate') process.stdout.write(`invalidated ${Date.now()}\n`);
    },
  },
});
const rate = await db.transaction(async (s) => (await s.api(Rate).load(id)).get('rate'));
process.stdout.write(`cached ${rate}\n`);
process.stdin.resume();
process.stdin.on('data', async () => {
  const [value, statements] = await db.transaction(async (s) => [(await s.api(Rate).load(id)).get('rate'), s.stats.statements] as const);
  process.stdout.write(`value ${value} statements ${statements}\n`);
  await db.close();
  process.exit(0);
});
