import pg from 'pg';
import { type RunningPgBouncer, startPgBouncer } from './pgbouncer.js';
import { Database, type DatabaseOptions, type EntityBase, resolveDatabaseUrl, type Session, type StatementEvent } from '../../src/index.js';

/**
 * One fresh PostgreSQL database per test run, on `DATABASE_URL`'s server when set, otherwise on an
 * embedded server started for the run. Specs reach it through the helpers below.
 */
let serverStop: (() => Promise<void>) | undefined;
let adminUrl: string | undefined;
let testUrl: string | undefined;
const scratch: string[] = [];
const testDbName = `cellar_test_${process.pid}_${Date.now().toString(36)}`;
/**
 * `CELLAR_SPEC_POOLER=transaction`: every Database the helpers open goes through a PgBouncer in
 * transaction mode started for the run (spec/pgbouncer.spec.ts runs suites so); plain clients and
 * the LISTEN connection still go straight to the server.
 */
export const throughPooler = process.env['CELLAR_SPEC_POOLER'] === 'transaction';
let bouncer: RunningPgBouncer | undefined;

export async function startTestServer(): Promise<void> {
  const resolved = await resolveDatabaseUrl();
  serverStop = () => resolved.stop();
  adminUrl = resolved.url;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${testDbName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${testDbName}`;
  testUrl = url.toString();
  process.env['CELLAR_TEST_URL'] = testUrl;
  if (throughPooler) bouncer = await startPgBouncer(testUrl, 4);
}

/** The server's admin URL (the embedded one's, or DATABASE_URL's), for child runs that make databases of their own. */
export function serverUrl(): string {
  if (!adminUrl) throw new Error('test server not started');
  return adminUrl;
}

/** Where the helpers' Databases connect, with the pooler options when the run goes through PgBouncer. */
export function connectionOptions(): Pick<DatabaseOptions, 'url' | 'pooler' | 'listenUrl'> {
  const direct = databaseUrl();
  return bouncer ? { url: bouncer.url(direct), pooler: 'transaction', listenUrl: direct } : { url: direct };
}

/** A Database over this run's database (through the run's pooler, if any), closed-checked by the root hooks. */
export async function openDatabase(entities: readonly EntityBase[], options: Partial<DatabaseOptions> = {}): Promise<Database> {
  const db = await Database.open({ ...connectionOptions(), entities, ...options });
  opened.push(db);
  return db;
}

export async function stopTestServer(): Promise<void> {
  await bouncer?.stop();
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    for (const name of [testDbName, ...scratch]) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  await serverStop?.();
}

/** An extra empty database on the test server (dropped at the end of the run); returns its URL. */
export async function scratchDatabaseUrl(label: string): Promise<string> {
  const name = `${testDbName}_${label}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  scratch.push(name);
  const url = new URL(adminUrl as string);
  url.pathname = `/${name}`;
  return url.toString();
}

/** URL of this run's database. */
export function databaseUrl(): string {
  if (!testUrl) throw new Error('test server not started: run specs through mocha (.mocharc.cjs loads the root hooks)');
  return testUrl;
}

/** Every Database the helpers opened: the root hooks check that none is left holding a connection. */
const opened: Database[] = [];

/** Connections still checked out of the pools of the databases the specs opened. */
export function checkedOutConnections(): number {
  return opened.reduce((n, db) => n + db.poolStats.total - db.poolStats.idle, 0);
}

/** A Database over this run's database with the entities' tables dropped and created afresh. */
export async function openFreshDatabase(entities: readonly EntityBase[], options: Partial<DatabaseOptions> = {}): Promise<Database> {
  const db = await openDatabase(entities, options);
  await db.schema.drop();
  await db.schema.create();
  return db;
}

/** A plain node-postgres client, to check what is really in the database behind the session's back. */
export async function plainClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  return client;
}

/** Row count of a table, read through a separate connection. */
export async function countRows(table: string, where = 'true'): Promise<number> {
  const client = await plainClient();
  try {
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`);
    return Number(r.rows[0]?.n);
  } finally {
    await client.end();
  }
}

/** Collects the statements a Database sends (pass `log.listener` as `onStatement`). */
export class StatementLog {
  readonly events: StatementEvent[] = [];
  readonly listener = (e: StatementEvent): void => {
    this.events.push(e);
  };

  /** SQL of counted statements (transaction control excluded). */
  get sql(): string[] {
    return this.events.filter((e) => !e.transactionControl).map((e) => e.sql);
  }

  clear(): void {
    this.events.length = 0;
  }
}

/**
 * Runs `fn` in a session of `db` and rolls it back afterwards, whatever happens: for specs that look
 * at a transaction's own view and must leave nothing behind. An assertion that fails inside `fn`
 * fails the spec (nothing swallows it, unlike `.catch(() => undefined)` after a deliberate throw).
 */
export async function inRolledBackSession<T>(db: Database, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await db.session();
  try {
    return await fn(s);
  } finally {
    await s.rollback();
    await s.close();
  }
}

/** Rows of a query, read through a separate connection (what another transaction sees). */
export async function queryDb<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
  const client = await plainClient();
  try {
    return (await client.query<R>(sql, params as unknown[])).rows;
  } finally {
    await client.end();
  }
}
