import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Database, UsageError, ValidationError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { Rate } from './support/cached-model.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { pgbouncerUnavailable, type RunningPgBouncer, startPgBouncer } from './support/pgbouncer.js';
import { repositoryRoot } from './support/run-command.js';
import { databaseUrl, openFreshDatabase, queryDb, serverUrl, StatementLog, throughPooler } from './support/test-database.js';

const run = promisify(execFile);

/** The suites that must pass unchanged behind a transaction pooler (the list). */
const SUITES = ['spec/unit-of-work.spec.ts', 'spec/collections.spec.ts', 'spec/chunked-query.spec.ts', 'spec/find-objects.spec.ts', 'spec/entity-cache.spec.ts', 'spec/copy-inserts.spec.ts', 'spec/distributed-jobs.spec.ts'];

describe('pooler: transaction (PgBouncer in transaction pooling mode)', () => {
  it('is refused with the cache broadcast on and nowhere to LISTEN (USAGE), and takes only its three modes (VALIDATION)', async () => {
    const e = await expectRejection(Database.open({ url: databaseUrl(), entities: [Rate], pooler: 'transaction' }), UsageError);
    expect(e.message).to.match(/listenUrl/);
    await expectRejection(Database.open({ url: databaseUrl(), entities: [Doc], pooler: 'transactions' as 'transaction' }), ValidationError);
  });

  describe('through a real PgBouncer', function () {
    const unavailable = throughPooler ? 'this run already goes through PgBouncer' : pgbouncerUnavailable();
    let bouncer: RunningPgBouncer | undefined;
    before(async function () {
      if (unavailable) {
        console.log(`      (skipped: ${unavailable})`);
        this.skip();
      }
      bouncer = await startPgBouncer(databaseUrl(), 2);
    });
    after(() => bouncer?.stop());

    it(`the suites ${SUITES.map((f) => path.basename(f, '.spec.ts')).join(', ')} pass with every Database behind it`, async function () {
      this.timeout(600_000);
      const mocha = path.join(repositoryRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
      const env = { ...process.env, DATABASE_URL: serverUrl(), CELLAR_SPEC_POOLER: 'transaction', CELLAR_PACKAGING_SPECS: 'off' };
      const args = [mocha, '--no-config', '--node-option', 'import=tsx', '--node-option', 'expose-gc', '--file', 'spec/support/root-hooks.ts', '--timeout', '60000', '--reporter', 'dot', ...SUITES];
      const { stdout, stderr } = await run(process.execPath, args, { cwd: repositoryRoot, env, maxBuffer: 16 << 20 }).catch((e: { stdout: string; stderr: string }) => e);
      const count = (word: string): number => Number(stdout.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
      expect(count('failing'), `${stdout.slice(-6000)}\n${stderr.slice(-2000)}`).to.equal(0);
      expect(count('passing'), stdout.slice(-2000)).to.be.greaterThan(40);
    });

    it('sends no named statement: 200 rounds of 4 concurrent sessions over 2 server connections (prepared statements would collide)', async function () {
      this.timeout(120_000);
      const log = new StatementLog();
      const fresh = await openFreshDatabase(allEntities, {});
      await fresh.close();
      const db = await Database.open({ url: (bouncer as RunningPgBouncer).url(databaseUrl()), pooler: 'transaction', entities: allEntities, onStatement: log.listener });
      try {
        for (let round = 0; round < 200; round++) {
          await Promise.all(
            [0, 1, 2, 3].map((k) =>
              db.transaction(async (s) => {
                const doc = await s.api(Doc).insert({ docNumber: `P-${round}-${k}`, docDate: '2026-12-02' });
                await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: BigInt(k), qty: '1.000' });
                await s.flush();
                const [line] = await s.api(DocLine).byParent(doc);
                line?.set('qty', '2.000');
              }),
            ),
          );
        }
      } finally {
        await db.close();
      }
      expect(await queryDb("SELECT count(*)::int AS n FROM doc_line l JOIN doc d ON d.id = l.id_doc WHERE d.doc_number LIKE 'P-%' AND l.qty = 2")).to.deep.equal([{ n: 800 }]);
      expect(log.events.length).to.be.greaterThan(800);
    });
  });
});
