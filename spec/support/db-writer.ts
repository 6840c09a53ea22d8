// Another application process for the cross-process cache specs: it opens its own Database (with a
// cached entity, so it broadcasts its commits) and runs the SQL it is sent in a transaction.
// Usage: tsx spec/support/db-writer.ts <url>; then one JSON line per command: { "sql": "…" }.
import { createInterface } from 'node:readline';
import { Database } from '../../src/index.js';
import { Rate } from './cached-model.js';
import { allEntities } from './model.js';

const db = await Database.open({ url: process.argv[2] as string, entities: [...allEntities, Rate] });
createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line) as { op?: string; sql?: string };
  if (command.op === 'exit') {
    await db.close();
    process.exit(0);
  }
  try {
    await db.transaction((s) => s.execute(command.sql as string));
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: String(e) })}\n`);
  }
});
