import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { BulkProcess, type CellarLogger, col, type Database, DbError } from '../src/index.js';
import { CELLAR_VERSION } from '../src/version.js';
import { expectRejection } from './support/expect-rejection.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { openFreshDatabase, plainClient } from './support/test-database.js';
import { repositoryRoot } from './support/run-command.js';

type Entry = Record<string, unknown> & { level: string; message: string };

/** A logger keeping what it receives, with pino's method shape. */
function memoryLogger(): CellarLogger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: string) => (details: Readonly<Record<string, unknown>>, message: string) => {
    entries.push({ ...details, level, message });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('logs and traces: a logger with pino\'s methods, OpenTelemetry spans', () => {
  it('a logger receives every statement of a flush with its duration and row count, parameters redacted', async () => {
    for (const combineWrites of [false, true]) {
    const logger = memoryLogger();
    const db = await openFreshDatabase(allEntities, { logger, combineWrites });
    try {
      await db.transaction(async (s) => {
        const doc = await s.api(Doc).insert({ docNumber: 'L-1', docDate: '2026-12-01' });
        await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: 7n, qty: '1' });
        await s.api(DocLine).insertByParent(doc, { nOrder: 2, idItem: 8n, qty: '2' });
        logger.entries.length = 0;
        await s.flush();
      });
      const statements = logger.entries.filter((e: Entry) => e['event'] === 'statement');
      expect(statements.map((e) => [e.level, (e['sql'] as string).slice(0, 23), e['rows']])).to.deep.equal(
        combineWrites
          ? [['debug', 'WITH w0 AS (INSERT INTO', 3]] // one statement, the rows it wrote
          : [
              ['debug', 'INSERT INTO "doc" ("id"', 1],
              ['debug', 'INSERT INTO "doc_line" ', 2],
            ],
      );
      for (const e of statements) {
        expect(e['durationMs']).to.be.a('number').and.to.be.greaterThan(0);
        expect(e['params']).to.be.an('array').that.is.not.empty;
        for (const p of e['params'] as unknown[]) expect(p).to.equal('[redacted]');
      }
      const flush = logger.entries.find((e: Entry) => e['event'] === 'flush');
      expect(flush).to.include({ level: 'debug', rows: 3, statements: combineWrites ? 1 : 2 });
      expect(logger.entries.filter((e: Entry) => e['event'] === 'transaction').map((e) => e['sql'])).to.deep.equal(['COMMIT']);
    } finally {
      await db.close();
    }
    }
  });

  it('logParameters: parameters are logged, each cut to 200 characters', async () => {
    const logger = memoryLogger();
    const db = await openFreshDatabase(allEntities, { logger, logParameters: true });
    try {
      await db.transaction((s) => s.select('select {a}::text as a, {b}::text as b', { a: 'visible', b: 'x'.repeat(5000) }, { a: col.text(), b: col.text() }));
      const statement = logger.entries.find((e: Entry) => e['event'] === 'statement' && String(e['sql']).startsWith('select'));
      expect(statement?.['params']).to.deep.equal(['visible', `${'x'.repeat(200)}…(5000 chars)`]);
    } finally {
      await db.close();
    }
  });

  it('pino works as it is, and a level that is off costs no entry', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').trim().split('\n'));
        done();
      },
    });
    const db = await openFreshDatabase(allEntities, { logger: pino({ level: 'info' }, sink) });
    try {
      const s = await db.session();
      await s.api(Doc).insert({ docNumber: 'P-1', docDate: '2026-12-01' });
      await s.commit();
      await s.close();
      const job = await db.session();
      await new BulkProcess(job).chunkedQuery(Doc, 10, 'select id from doc', {}, () => undefined);
      await job.close();
      const events = lines.map((l) => JSON.parse(l) as { event: string; level: number; entity?: string; rows?: number });
      expect(events.map((e) => e.event)).to.include.members(['bulk-chunk', 'bulk-done']);
      expect(events.filter((e) => e.event === 'statement')).to.deep.equal([]); // debug is off
      expect(events.find((e) => e.event === 'bulk-done')).to.include({ entity: 'Doc', level: 30 });
    } finally {
      await db.close();
    }
  });

  it('retries are logged at warn with the attempt, SQLSTATE and delay', async () => {
    const logger = memoryLogger();
    const db = await openFreshDatabase(allEntities, { logger });
    try {
      const id = await db.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'R-1', docDate: '2026-12-01' })).id);
      let attempts = 0;
      await db.transaction(
        async (s) => {
          attempts++;
          const doc = await s.api(Doc).load(id);
          if (attempts === 1) {
            const other = await plainClient();
            await other.query("update doc set state = 'approved' where id = $1", [String(id)]);
            await other.end();
          }
          doc.set('docNumber', `R-attempt-${attempts}`);
        },
        { isolation: 'repeatable read', retry: true },
      );
      expect(attempts).to.equal(2);
      const retry = logger.entries.find((e: Entry) => e['event'] === 'retry');
      expect(retry).to.include({ level: 'warn', attempt: 1, code: 'SERIALIZATION_FAILURE', sqlState: '40001' });
      expect(retry?.['delayMs']).to.be.a('number');
      expect(logger.entries.find((e: Entry) => e['event'] === 'statement-failed')).to.include({ level: 'warn', sqlState: '40001' });
    } finally {
      await db.close();
    }
  });

  it('cache events are logged at debug', async () => {
    const logger = memoryLogger();
    const db = await openFreshDatabase(allEntities, { logger });
    try {
      await db.cache.remember('rates', { ttlMs: 60_000 }, async () => 42);
      await db.cache.remember('rates', { ttlMs: 60_000 }, async () => 43);
      expect(logger.entries.filter((e: Entry) => String(e['event']).startsWith('cache-')).map((e) => [e.level, e['event'], e['key']])).to.deep.equal([
        ['debug', 'cache-miss', 'rates'],
        ['debug', 'cache-set', 'rates'],
        ['debug', 'cache-hit', 'rates'],
      ]);
    } finally {
      await db.close();
    }
  });

  describe('with an OpenTelemetry SDK and an in-memory exporter', () => {
    const exporter = new InMemorySpanExporter();
    const contextManager = new AsyncLocalStorageContextManager();
    let db: Database;
    before(async () => {
      context.setGlobalContextManager(contextManager.enable());
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
      db = await openFreshDatabase(allEntities);
    });
    after(async () => {
      await db.close();
      trace.disable();
      context.disable();
    });
    beforeEach(() => exporter.reset());

    const byId = (spans: readonly ReadableSpan[]) => new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

    it('spans form the tree user span → transaction → flush → statement, with the db.* attributes', async () => {
      await trace.getTracer('app').startActiveSpan('request', async (request) => {
        await db.transaction(async (s) => {
          const doc = await s.api(Doc).insert({ docNumber: 'T-1', docDate: '2026-12-01' });
          await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: 7n, qty: '1' });
          await s.flush();
          await s.select('select count(*) as n from doc_line', {}, { n: col.bigint() });
        });
        request.end();
      });
      const spans = exporter.getFinishedSpans();
      const ids = byId(spans);
      const named = (name: string) => spans.filter((s) => s.name === name);
      const [request] = named('request');
      const [transaction] = named('cellar.transaction');
      const [flush] = named('cellar.flush');
      expect(request && transaction && flush, spans.map((s) => s.name).join(', ')).to.be.ok;
      expect(parentOf(transaction as ReadableSpan)).to.equal(request?.spanContext().spanId);
      expect(parentOf(flush as ReadableSpan)).to.equal(transaction?.spanContext().spanId);
      // The flush's inserts went as one combined statement: one span for both tables.
      const [insertLine] = named('WRITE doc, doc_line');
      expect(parentOf(insertLine as ReadableSpan)).to.equal(flush?.spanContext().spanId);
      const select = spans.find((s) => s.attributes['db.operation.name'] === 'SELECT' && String(s.attributes['db.query.text']).includes('count(*)'));
      expect(parentOf(select as ReadableSpan)).to.equal(transaction?.spanContext().spanId);
      expect(insertLine?.attributes).to.include({ 'db.system.name': 'postgresql', 'db.operation.name': 'WRITE', 'db.collection.name': 'doc, doc_line', 'db.response.returned_rows': 2 });
      expect(String(insertLine?.attributes['db.query.text'])).to.match(/^WITH w0 AS \(INSERT INTO "doc" .* w1 AS \(INSERT INTO "doc_line"/);
      expect(insertLine?.attributes['db.namespace']).to.be.a('string');
      expect(flush?.attributes['cellar.rows']).to.equal(2);
      expect(transaction?.attributes['cellar.transaction.outcome']).to.equal('commit');
      for (const span of spans) if (span !== request) expect(ids.has(parentOf(span) as string), span.name).to.equal(true);
    });

    it('a failed statement ends its span and the transaction span with an error status and the SQLSTATE', async () => {
      await expectRejection(db.transaction((s) => s.execute('select 1/0')), DbError);
      const spans = exporter.getFinishedSpans();
      const failed = spans.find((s) => s.attributes['db.query.text'] === 'select 1/0');
      expect(failed?.status.code).to.equal(SpanStatusCode.ERROR);
      expect(failed?.attributes['db.response.status_code']).to.equal('22012');
      const transaction = spans.find((s) => s.name === 'cellar.transaction');
      expect(transaction?.attributes['cellar.transaction.outcome']).to.equal('rollback');
    });
  });

  it('CELLAR_VERSION is the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as { version: string };
    expect(CELLAR_VERSION).to.equal(version);
  });
});
