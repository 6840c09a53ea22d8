import { expect } from 'chai';
import { col, ConnectionLostError, Database, DbError, defineEntity, ForeignKeyViolationError, SessionAbortedError, UniqueViolationError, ValidationError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { countRows, databaseUrl, openFreshDatabase, plainClient, queryDb, StatementLog } from './support/test-database.js';

const CopyParent = defineEntity({ name: 'CopyParent', columns: { id: col.id(), name: col.text() } });

/** One column of every kind, and a unique code: what COPY and unnest must write alike. */
const CopyRow = defineEntity({
  name: 'CopyRow',
  columns: {
    id: col.id(),
    side: col.text(),
    n: col.int(),
    code: col.text(),
    idParent: col.ref(CopyParent, { nullable: true }),
    big: col.bigint({ nullable: true }),
    small: col.int2({ nullable: true }),
    label: col.text({ nullable: true }),
    short: col.varchar({ length: 12, nullable: true }),
    fixed: col.char({ length: 4, nullable: true }),
    amount: col.decimal({ precision: 18, scale: 3, nullable: true }),
    free: col.decimal({ nullable: true }),
    day: col.date({ nullable: true }),
    at: col.timestamptz({ nullable: true }),
    local: col.timestamp({ nullable: true }),
    flag: col.bool({ nullable: true }),
    ratio: col.float8({ nullable: true }),
    ratio4: col.float4({ nullable: true }),
    key: col.uuid({ nullable: true }),
    blob: col.bytea({ nullable: true }),
    doc: col.jsonb<{ s?: string; tags?: string[] }>({ nullable: true }),
  },
  indexes: { byCode: { columns: ['side', 'code'], unique: true } },
});

// Strings that mean something to COPY's text format, to array literals or to SQL.
const NASTY = ['tab\there', 'new\nline', 'cr\rhere', 'back\\slash', '\\N', 'NULL', '', '"quoted"', '{1,2}', "it's", 'ünïcødé ✓ 🍷', '\\\\t', ' lead and trail '];

function valuesOf(side: string, n: number) {
  const nasty = NASTY[n % NASTY.length] as string;
  const none = n % 7 === 3; // every nullable column null in some rows
  return {
    side,
    n,
    code: `c-${n}`,
    idParent: null,
    big: none ? null : BigInt(n) * 1_000_000_007n - 9_000_000_000n,
    small: none ? null : (n % 65_535) - 32_767,
    label: none ? null : `${nasty}|${n}`,
    short: none ? null : nasty.slice(0, 12),
    fixed: none ? null : `${n % 10}\t`.padEnd(4, 'x'),
    amount: none ? null : `${n}.${n % 1000}`,
    free: none ? null : `-${n}.000100`,
    day: none ? null : `20${10 + (n % 20)}-0${1 + (n % 9)}-1${n % 10}`,
    at: none ? null : new Date(Date.UTC(2026, n % 12, 1 + (n % 28), n % 24, n % 60, n % 60, n % 1000)),
    local: none ? null : `2026-11-2${n % 10} 1${n % 10}:0${n % 10}:00.${String(n % 1000).padStart(3, '0')}`,
    flag: none ? null : n % 2 === 0,
    ratio: none ? null : n / 7,
    ratio4: none ? null : n / 8,
    key: none ? null : `0000000${n % 10}-0000-4000-8000-${String(n).padStart(12, '0')}`,
    blob: none ? null : Buffer.from(Array.from({ length: 1 + (n % 300) }, (_, i) => (i * 37 + n) % 256)),
    doc: none ? null : { s: nasty, tags: [nasty, 'x'] },
  };
}

describe('COPY for large inserts: the same rows and the same errors as unnest', () => {
  let copying: Database;
  let unnesting: Database;
  const copyLog = new StatementLog();
  const unnestLog = new StatementLog();

  before(async () => {
    copying = await openFreshDatabase([CopyParent, CopyRow], { copyInsertsFrom: 1, onStatement: copyLog.listener });
    unnesting = await openFreshDatabase([CopyParent, CopyRow], { copyInsertsFrom: false, onStatement: unnestLog.listener });
  });
  after(async () => {
    await copying.close();
    await unnesting.close();
  });
  beforeEach(async () => {
    const client = await plainClient();
    await client.query('truncate copy_row, copy_parent');
    await client.end();
    copyLog.clear();
    unnestLog.clear();
  });

  async function insertAll(db: Database, side: string, rows: number): Promise<void> {
    await db.transaction(async (s) => {
      for (let n = 0; n < rows; n++) await s.api(CopyRow).insert(valuesOf(side, n));
    });
  }

  /** Every column but the id and the side, as PostgreSQL prints it, in insertion order. */
  async function textOf(side: string): Promise<Record<string, unknown>[]> {
    const columns = CopyRow.meta.columns.filter((c) => c.field !== 'id' && c.field !== 'side').map((c) => `${c.column}::text`);
    return queryDb(`select ${columns.join(', ')} from copy_row where side = $1 order by n`, [side]);
  }

  it('writes identical rows, every kind, nulls and COPY-special characters included, in one COPY statement', async () => {
    await insertAll(copying, 'copy', 600);
    await insertAll(unnesting, 'unnest', 600);
    expect(copyLog.sql.filter((q) => !q.includes('nextval'))).to.deep.equal([CopyRow.meta.columns.map((c) => `"${c.column}"`).join(', ')].map((cols) => `COPY "copy_row" (${cols}) FROM STDIN`));
    expect(unnestLog.sql.filter((q) => !q.includes('nextval'))).to.have.length(1);
    expect(unnestLog.sql.at(-1)).to.match(/^INSERT INTO "copy_row"/);
    const copied = await textOf('copy');
    expect(copied).to.have.length(600);
    expect(copied).to.deep.equal(await textOf('unnest'));
    // And they read back through cellar as they were given.
    const back = await copying.transaction(async (s) => (await s.query(CopyRow).where({ side: 'copy' }).orderBy('n').all()).map((rop) => rop.toObject()));
    back.forEach((row, n) => {
      const given = valuesOf('copy', n);
      expect(row.label).to.equal(given.label);
      expect(row.blob).to.deep.equal(given.blob);
      expect(row.doc).to.deep.equal(given.doc);
      expect(row.big).to.equal(given.big);
    });
  });

  it('a duplicate key fails both ways with the same error, naming the entity and the values; nothing is written', async () => {
    const errors: DbError[] = [];
    for (const db of [copying, unnesting]) {
      const s = await db.session();
      try {
        for (let n = 0; n < 50; n++) await s.api(CopyRow).insert({ ...valuesOf('dup', n), code: n === 40 ? 'c-7' : `c-${n}` });
        errors.push(await expectRejection(s.commit(), UniqueViolationError));
        await expectRejection(s.api(CopyRow).insert(valuesOf('dup', 99)), SessionAbortedError);
      } finally {
        await s.close();
      }
    }
    const [copied, unnested] = errors as [DbError, DbError];
    expect(copied.message).to.equal(unnested.message);
    expect(copied.message).to.include('CopyRow').and.include('Key (side, code)=(dup, c-7) already exists');
    expect({ code: copied.code, sqlState: copied.sqlState, constraint: copied.constraint, table: copied.table, entity: copied.entity }).to.deep.equal({
      code: unnested.code,
      sqlState: unnested.sqlState,
      constraint: unnested.constraint,
      table: unnested.table,
      entity: unnested.entity,
    });
    expect(await countRows('copy_row')).to.equal(0);
  });

  it('a missing parent fails both ways with the same FOREIGN_KEY error; the pool is fine afterwards', async () => {
    const errors: DbError[] = [];
    for (const db of [copying, unnesting]) {
      const s = await db.session();
      try {
        for (let n = 0; n < 20; n++) await s.api(CopyRow).insert({ ...valuesOf('fk', n), idParent: n === 13 ? 987_654_321n : null });
        errors.push(await expectRejection(s.commit(), ForeignKeyViolationError));
      } finally {
        await s.close();
      }
    }
    const [copied, unnested] = errors as [DbError, DbError];
    expect(copied.message).to.equal(unnested.message);
    expect(copied.message).to.include('Key (id_parent)=(987654321) is not present');
    expect(copied.code).to.equal(unnested.code);
    expect(await countRows('copy_row')).to.equal(0);
    await insertAll(copying, 'after', 30);
    expect(await countRows('copy_row', "side = 'after'")).to.equal(30);
  });

  it('a connection killed in the middle of a COPY fails as CONNECTION_LOST, commits nothing, and poisons nothing', async () => {
    // A trigger holds the server inside the COPY for a while, so the kill lands in it for sure.
    const admin = await plainClient();
    await admin.query(`create or replace function copy_row_stall() returns trigger language plpgsql as $$
      begin if new.n = 20000 then perform pg_sleep(3); end if; return new; end $$`);
    await admin.query('create trigger copy_row_stall before insert on copy_row for each row execute function copy_row_stall()');
    const s = await copying.session({ cellLimit: 5_000_000 });
    try {
      const [me] = await s.select('select pg_backend_pid() as pid', {}, { pid: col.int() });
      for (let n = 0; n < 40_000; n++) await s.api(CopyRow).insert({ ...valuesOf('kill', n % 50), n, code: `k-${n}` });
      const flushing = s.flush();
      let stalled = false;
      for (let waited = 0; waited < 10_000 && !stalled; waited += 10) {
        const r = await admin.query<{ n: string }>("select count(*) as n from pg_stat_activity where pid = $1 and wait_event = 'PgSleep' and query like 'COPY%'", [me?.pid]);
        stalled = Number(r.rows[0]?.n) > 0;
        if (!stalled) await new Promise((r) => setTimeout(r, 10));
      }
      expect(stalled, 'the COPY reached the stalling row').to.equal(true);
      await admin.query('select pg_terminate_backend($1)', [me?.pid]);
      expect(await expectRejection(flushing, DbError)).to.be.instanceOf(ConnectionLostError);
    } finally {
      await s.close();
      await admin.query('drop trigger copy_row_stall on copy_row');
      await admin.end();
    }
    expect(await countRows('copy_row', "side = 'kill'")).to.equal(0);
    await insertAll(copying, 'alive', 10);
    expect(await countRows('copy_row', "side = 'alive'")).to.equal(10);
  });

  it('a bad copyInsertsFrom is a VALIDATION error at open, before any connection', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await Database.open({ url: databaseUrl(), entities: [CopyParent, CopyRow], copyInsertsFrom: bad }).catch((e: unknown) => e);
      expect(error, String(bad)).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).message).to.include('copyInsertsFrom');
    }
  });

  it('by default, only an entity with 10,000 rows or more in a flush is copied', async () => {
    const log = new StatementLog();
    const watched = await openFreshDatabase([CopyParent, CopyRow], { onStatement: log.listener });
    log.clear();
    try {
      await watched.transaction(async (s) => {
        const parent = await s.api(CopyParent).insert({ name: 'p' });
        for (let n = 0; n < 10_000; n++) await s.api(CopyRow).insert({ ...valuesOf('big', n % 50), n, code: `b-${n}`, idParent: parent.id });
      });
      await watched.transaction(async (s) => {
        for (let n = 0; n < 9_999; n++) await s.api(CopyRow).insert({ ...valuesOf('small', n % 50), n, code: `s-${n}` });
      });
      const writes = log.sql.filter((q) => !q.includes('nextval')).map((q) => q.split(' (')[0]);
      expect(writes).to.deep.equal(['INSERT INTO "copy_parent"', 'COPY "copy_row"', 'INSERT INTO "copy_row"']);
      expect(await countRows('copy_row', "side = 'big'")).to.equal(10_000);
      expect(await countRows('copy_row', "side = 'small'")).to.equal(9_999);
    } finally {
      await watched.close();
    }
  });
});
