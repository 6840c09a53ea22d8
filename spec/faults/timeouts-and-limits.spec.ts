import { expect } from 'chai';
import {
  col,
  CommitOutcomeUnknownError,
  ConnectionLostError,
  type Database,
  OptimisticLockError,
  PoolTimeoutError,
  QueryTimeoutError,
  SessionAbortedError,
  StatementTimeoutError,
} from '../../src/index.js';
import { expectRejection } from '../support/expect-rejection.js';
import { Account, Doc, DocLine, allEntities } from '../support/model.js';
import { countRows, openFreshDatabase, plainClient } from '../support/test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function activeSleeps(): Promise<number> {
  const client = await plainClient();
  try {
    const r = await client.query<{ n: string }>("select count(*) as n from pg_stat_activity where query like 'select pg_sleep%' and state = 'active' and pid <> pg_backend_pid()");
    return Number(r.rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('faults: timeouts, pool exhaustion, stale rows, oversized values, big cascades, after-commit failures', function () {
  this.timeout(120_000);

  describe('timeouts of cellar\'s own', () => {
    it('statementTimeoutMs (server side, per transaction): STATEMENT_TIMEOUT, no extra round trip', async () => {
      const db = await openFreshDatabase(allEntities, { statementTimeoutMs: 100 });
      try {
        const s = await db.session();
        try {
          const started = performance.now();
          await expectRejection(s.select('select pg_sleep(3) as x', {}, { x: col.text({ nullable: true }) }), StatementTimeoutError);
          expect(performance.now() - started).to.be.below(2000);
          expect(s.stats.statements).to.equal(1);
          await s.rollback();
        } finally {
          await s.close();
        }
        const t = await db.session({ statementTimeoutMs: 5000 });
        try {
          const [row] = await t.select("select current_setting('statement_timeout') as v", {}, { v: col.text() });
          expect(row?.v).to.equal('5s'); // a session's own value wins
        } finally {
          await t.close();
        }
      } finally {
        await db.close();
      }
    });

    it('queryTimeoutMs (client side): QUERY_TIMEOUT, the statement cancelled, the client destroyed, the next session unharmed', async () => {
      const db = await openFreshDatabase(allEntities, { queryTimeoutMs: 200 });
      try {
        const s = await db.session();
        try {
          await expectRejection(s.select('select pg_sleep(5) as x', {}, { x: col.text({ nullable: true }) }), QueryTimeoutError);
          await expectRejection(s.select('select 1 as x', {}, { x: col.int() }), SessionAbortedError);
          await s.rollback();
          const [row] = await s.select('select 7 as x', {}, { x: col.int() });
          expect(row?.x).to.equal(7); // its own answer, not the late reply of the sleep
        } finally {
          await s.close();
        }
        const until = Date.now() + 5000;
        while ((await activeSleeps()) > 0 && Date.now() < until) await sleep(50);
        expect(await activeSleeps(), 'the sleep was cancelled on the server').to.equal(0);
        expect(db.poolStats.total - db.poolStats.idle).to.equal(0);
      } finally {
        await db.close();
      }
    });

    it('a COMMIT that outlives queryTimeoutMs: COMMIT_OUTCOME_UNKNOWN', async () => {
      const db = await openFreshDatabase(allEntities, { queryTimeoutMs: 300 });
      const client = await plainClient();
      try {
        // A deferred constraint trigger that sleeps makes COMMIT itself slow: a real slow commit.
        await client.query(`create or replace function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(2); return null; end $$;
          drop trigger if exists doc_slow_commit on doc;
          create constraint trigger doc_slow_commit after insert on doc deferrable initially deferred for each row execute function slow_commit()`);
        const s = await db.session();
        try {
          await s.api(Doc).insert({ docNumber: 'slow-commit', docDate: '2026-12-01' });
          await expectRejection(s.commit(), CommitOutcomeUnknownError);
          await s.rollback();
        } finally {
          await s.close();
        }
      } finally {
        await client.query('drop trigger if exists doc_slow_commit on doc');
        await client.end();
        await db.close();
      }
    });
  });

  it('pool exhaustion: POOL_TIMEOUT after acquireTimeoutMs, naming pool size, in use and waiting; the waiting session stays usable', async () => {
    const db = await openFreshDatabase(allEntities, { pool: { max: 1, acquireTimeoutMs: 200 } });
    try {
      const holder = await db.session();
      await holder.select('select 1 as x', {}, { x: col.int() });
      const waiter = await db.session();
      const started = performance.now();
      const e = await expectRejection(waiter.select('select 1 as x', {}, { x: col.int() }), PoolTimeoutError);
      expect(performance.now() - started).to.be.within(150, 2000);
      expect(e).to.include({ code: 'POOL_TIMEOUT', size: 1, inUse: 1, waiting: 1, timeoutMs: 200 });
      await holder.close();
      const [row] = await waiter.select('select 2 as x', {}, { x: col.int() });
      expect(row?.x).to.equal(2);
      await waiter.close();
    } finally {
      await db.close();
    }
  });

  it('OptimisticLockError.ids names exactly the stale rows of a batched update', async () => {
    const db = await openFreshDatabase(allEntities);
    try {
      const ids = await db.transaction(async (s) => {
        const rows = [];
        for (let i = 0; i < 100; i++) rows.push(await s.api(Account).insert({ code: `acc-${i}`, balance: '0' }));
        return rows.map((r) => r.id);
      });
      const s = await db.session();
      try {
        const rows = await s.api(Account).loadMany(ids);
        const client = await plainClient();
        await client.query('update account set balance = 1, version = version + 1 where id = $1', [String(ids[37])]);
        await client.end();
        for (const r of rows) r.set('balance', '5');
        const e = await expectRejection(s.commit(), OptimisticLockError);
        expect(e.ids).to.deep.equal([ids[37]]);
      } finally {
        await s.close();
      }
      // and of a batched delete
      const t = await db.session();
      try {
        const rows = await t.api(Account).loadMany(ids.slice(0, 10));
        const client = await plainClient();
        await client.query('update account set version = version + 1 where id = $1', [String(ids[3])]);
        await client.end();
        await t.api(Account).delete(rows);
        const e = await expectRejection(t.commit(), OptimisticLockError);
        expect(e.ids).to.deep.equal([ids[3]]);
      } finally {
        await t.close();
      }
    } finally {
      await db.close();
    }
  });

  it('a value longer than a JavaScript string can be: a typed error, the client destroyed, the process alive', async () => {
    const db = await openFreshDatabase(allEntities);
    try {
      const s = await db.session();
      try {
        const e = await expectRejection(s.select("select repeat('x', 600 * 1024 * 1024) as big", {}, { big: col.text() }), ConnectionLostError);
        expect(e.message).to.contain('could not be read').and.to.contain('in parts');
        await s.rollback();
        const [row] = await s.select('select 1 as x', {}, { x: col.int() });
        expect(row?.x).to.equal(1);
      } finally {
        await s.close();
      }
      expect(db.poolStats.total - db.poolStats.idle).to.equal(0);
    } finally {
      await db.close();
    }
  });

  it('deleting documents with 200,000 children in one delete(): bounded statements, exactly those rows gone', async () => {
    const db = await openFreshDatabase(allEntities, { cellLimit: 5_000_000 });
    try {
      const [keep, gone1, gone2] = await db.transaction(async (s) => {
        const docs = [];
        for (const n of ['keep', 'gone-1', 'gone-2']) docs.push(await s.api(Doc).insert({ docNumber: n, docDate: '2026-12-01' }));
        await s.flush();
        return docs.map((d) => d.id);
      });
      const client = await plainClient();
      await client.query(
        `insert into doc_line (id, id_doc, n_order, id_item, qty)
         select nextval('doc_line_id_seq'), d, g, g, 1 from unnest($1::int8[]) d, generate_series(1, 100000) g`,
        [[String(gone1), String(gone2)]],
      );
      await client.query(`insert into doc_line (id, id_doc, n_order, id_item, qty) select nextval('doc_line_id_seq'), $1, g, g, 1 from generate_series(1, 10) g`, [String(keep)]);
      await client.end();
      const statements = await db.transaction(async (s) => {
        const docs = await s.api(Doc).loadMany([gone1 as bigint, gone2 as bigint]);
        await s.api(Doc).delete(docs);
        await s.flush();
        return s.stats.statements;
      });
      expect(statements).to.be.at.most(10);
      expect(await countRows('doc_line')).to.equal(10);
      expect(await countRows('doc')).to.equal(1);
    } finally {
      await db.close();
    }
  });

  it('a failure of the after-commit work: the commit is reported done, logged and counted', async () => {
    const warnings: Record<string, unknown>[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (details: Record<string, unknown>) => void warnings.push(details) };
    const db = await openFreshDatabase(allEntities, {
      logger,
      cache: {
        onEvent: (event) => {
          if (event.type === 'invalidate') throw new Error('a cache listener failed');
        },
      },
    });
    try {
      const s = await db.session();
      try {
        await s.api(Doc).insert({ docNumber: 'after-commit', docDate: '2026-12-01' });
        await s.commit(); // must not throw: the data is committed
        expect(s.stats.afterCommitFailures).to.equal(1);
        const [row] = await s.select('select 1 as x', {}, { x: col.int() });
        expect(row?.x).to.equal(1);
      } finally {
        await s.close();
      }
      expect(await countRows('doc', "doc_number = 'after-commit'")).to.equal(1);
      expect(warnings.map((w) => w['event'])).to.include('after-commit-failed');
    } finally {
      await db.close();
    }
  });
});
