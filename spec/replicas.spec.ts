import { expect } from 'chai';
import pg from 'pg';
import { col, Database, DbError, ValidationError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { Rate } from './support/cached-model.js';
import { Doc, allEntities } from './support/model.js';
import { startStreamingPair, type StreamingPair } from './support/streaming-replica.js';

const onReplica = { r: col.bool() };
const IN_RECOVERY = 'select pg_is_in_recovery() as r';

/** A real primary with a real streaming replica (embedded binaries, a copy of the stopped primary's data directory). */
describe('read replicas: read-only transactions on a streaming replica, read-your-writes by WAL position', function () {
  this.timeout(120_000);
  let pair: StreamingPair;
  let db: Database;
  let direct: pg.Client;

  before(async () => {
    pair = await startStreamingPair();
    db = await Database.open({ url: pair.primaryUrl, replicas: [pair.replicaUrl], entities: [...allEntities, Rate], replicaWaitMs: 2000 });
    await db.schema.create();
    // The DDL's commit position is read from the primary after it: until then reads go to the primary.
    for (let waited = 0; waited < 5000; waited += 20) {
      if ((await db.transaction((s) => s.select(IN_RECOVERY, {}, onReplica), { readOnly: true }))[0]?.r) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    direct = await replicaClient();
  });

  /** A plain client of the replica (what a read behind cellar's back sees); one the replica's stop ends says so, harmlessly. */
  async function replicaClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: pair.replicaUrl });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }
  after(async () => {
    await direct?.end();
    await db?.close();
    await pair?.stop();
  });
  afterEach(() => pair.setApplyDelay(0));

  it('sends read-only transactions to the replica and everything else to the primary', async () => {
    expect((await db.transaction((s) => s.select(IN_RECOVERY, {}, onReplica), { readOnly: true }))[0]?.r).to.equal(true);
    expect((await db.transaction((s) => s.select(IN_RECOVERY, {}, onReplica)))[0]?.r).to.equal(false);
    const s = await db.session();
    expect((await s.select(IN_RECOVERY, {}, onReplica))[0]?.r).to.equal(false);
    await s.close();
    // A write in a read-only transaction is the server's error, on the replica as on a primary.
    const e = await expectRejection(db.transaction(async (r) => r.execute("insert into doc (doc_number, doc_date) values ('x', '2026-12-02')", {}), { readOnly: true }), DbError);
    expect(e.message).to.match(/read-only transaction/);
  });

  it('after a commit the next read sees it, while the replica applies WAL 60 ms late (200 rounds, no stale read)', async () => {
    const id = await db.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'R-0', docDate: '2026-12-02', total: '0' })).id);
    await pair.setApplyDelay(60);
    const before = db.replicaStats;
    let staleBehindOurBack = 0;
    for (let round = 1; round <= 200; round++) {
      await db.transaction(async (s) => (await s.api(Doc).load(id)).set('total', String(round)));
      // What a read of the replica straight after the commit shows: the lag is real.
      const raw = await direct.query('select total from doc where id = $1', [String(id)]);
      if (raw.rows[0]?.total !== `${round}.00`) staleBehindOurBack++;
      const seen = await db.transaction(async (s) => (await s.api(Doc).load(id)).get('total'), { readOnly: true });
      expect(seen, `round ${round}`).to.equal(`${round}.00`);
    }
    const after = db.replicaStats;
    expect(staleBehindOurBack).to.be.greaterThan(150);
    expect(after.replicaReads - before.replicaReads).to.equal(200); // every read waited for the replica, none fell back
  });

  it('goes to the primary when the replica cannot catch up within replicaWaitMs, and when it is stopped', async () => {
    const impatient = await Database.open({ url: pair.primaryUrl, replicas: [pair.replicaUrl], entities: allEntities, replicaWaitMs: 100 });
    try {
      const id = await impatient.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'R-1', docDate: '2026-12-02', total: '1' })).id);
      await pair.setApplyDelay(1500);
      await impatient.transaction(async (s) => (await s.api(Doc).load(id)).set('total', '2'));
      const before = impatient.replicaStats;
      const [total, inRecovery] = await impatient.transaction(async (s) => [(await s.api(Doc).load(id)).get('total'), (await s.select(IN_RECOVERY, {}, onReplica))[0]?.r], { readOnly: true });
      expect([total, inRecovery]).to.deep.equal(['2.00', false]);
      expect(impatient.replicaStats.primaryReads - before.primaryReads).to.equal(1);
      await pair.setApplyDelay(0);
      await pair.stopReplica();
      for (let i = 0; i < 5; i++) {
        expect((await impatient.transaction((s) => s.select(IN_RECOVERY, {}, onReplica), { readOnly: true }))[0]?.r).to.equal(false);
      }
    } finally {
      await pair.startReplica();
      await impatient.close();
      // The stopped replica ended this client already: closing it again may reject, and there is nothing to check.
      await direct.end().catch(() => undefined);
      direct = await replicaClient();
    }
    // Back after the skip window: the replica serves reads again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await db.transaction((s) => s.select(IN_RECOVERY, {}, onReplica), { readOnly: true }))[0]?.r).to.equal(true);
  });

  it('skips a replica whose applied WAL lags its received WAL by more than maxLagMs', async () => {
    const strict = await Database.open({ url: pair.primaryUrl, replicas: [pair.replicaUrl], entities: allEntities, maxLagMs: 200 });
    const writer = await Database.open({ url: pair.primaryUrl, entities: allEntities });
    try {
      expect((await strict.transaction((s) => s.select(IN_RECOVERY, {}, onReplica), { readOnly: true }))[0]?.r).to.equal(true);
      await pair.setApplyDelay(3000);
      // Another process writes: this one knows nothing to wait for, only the lag can keep it off the replica.
      await writer.transaction(async (s) => void (await s.api(Doc).insert({ docNumber: 'R-lag', docDate: '2026-12-02' })));
      await new Promise((resolve) => setTimeout(resolve, 600));
      const before = strict.replicaStats;
      expect((await strict.transaction((s) => s.select(IN_RECOVERY, {}, onReplica), { readOnly: true }))[0]?.r).to.equal(false);
      expect(strict.replicaStats.primaryReads - before.primaryReads).to.equal(1);
    } finally {
      await writer.close();
      await strict.close();
    }
  });

  it('another process reads its caller\'s writes with { after: db.lastCommitToken }', async () => {
    const other = await Database.open({ url: pair.primaryUrl, replicas: [pair.replicaUrl], entities: allEntities, replicaWaitMs: 2000 });
    try {
      await pair.setApplyDelay(200);
      const id = await db.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'R-token', docDate: '2026-12-02' })).id);
      const token = db.lastCommitToken;
      expect(token).to.match(/^[0-9A-F]+\/[0-9A-F]+$/);
      const found = await other.transaction(async (s) => (await s.api(Doc).find(id))?.get('docNumber'), { readOnly: true, after: token });
      expect(found).to.equal('R-token');
      expect(other.replicaStats.replicaReads).to.equal(1);
    } finally {
      await other.close();
    }
  });

  it('a cache fill from the replica never re-caches a value older than an invalidation this process has seen (50 rounds)', async () => {
    const writer = await Database.open({ url: pair.primaryUrl, entities: [Rate] });
    try {
      const id = await writer.transaction(async (s) => (await s.api(Rate).insert({ code: 'EUR', rate: '1' })).id);
      await pair.setApplyDelay(40);
      for (let round = 2; round <= 51; round++) {
        // Cached in this process from the replica…
        await db.transaction(async (s) => (await s.api(Rate).load(id)).get('rate'), { readOnly: true });
        // …changed by another process, whose broadcast reaches this one long before the replica applies it.
        const invalidated = new Promise<void>((resolve) => {
          const previous = db.cache.onRemoteCommit;
          db.cache.onRemoteCommit = () => {
            previous?.();
            db.cache.onRemoteCommit = previous;
            resolve();
          };
        });
        await writer.transaction(async (s) => (await s.api(Rate).load(id)).set('rate', String(round)));
        await invalidated;
        const seen = await db.transaction(async (s) => (await s.api(Rate).load(id)).get('rate'), { readOnly: true });
        expect(seen, `round ${round}`).to.equal(`${round}.000000`);
      }
    } finally {
      await writer.close();
    }
  });

  it('refuses replicas, maxLagMs or replicaWaitMs that are not what they should be (VALIDATION)', async () => {
    await expectRejection(Database.open({ url: pair.primaryUrl, entities: allEntities, replicas: [''] }), ValidationError);
    await expectRejection(Database.open({ url: pair.primaryUrl, entities: allEntities, replicas: [pair.replicaUrl], maxLagMs: -1 }), ValidationError);
  });
});
