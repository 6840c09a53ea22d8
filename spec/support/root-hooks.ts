import { checkedOutConnections, plainClient, startTestServer, stopTestServer } from './test-database.js';

// Root-level hooks (this file is listed under `file` in .mocharc.cjs, so it loads before the specs).
before(async function () {
  this.timeout(120_000);
  await startTestServer();
});

after(async function () {
  this.timeout(60_000);
  try {
    // Every spec must leave its sessions closed: a backend idle in transaction is a leaked session.
    const client = await plainClient();
    const r = await client.query<{ n: string }>("select count(*) as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'");
    await client.end();
    if (Number(r.rows[0]?.n) !== 0) throw new Error(`${r.rows[0]?.n} backends were left idle in transaction by the suite`);
    // …and every connection a spec's database checked out came back (closed databases hold none).
    const out = checkedOutConnections();
    if (out !== 0) throw new Error(`${out} pooled connections were left checked out by the suite`);
  } finally {
    await stopTestServer();
  }
});
