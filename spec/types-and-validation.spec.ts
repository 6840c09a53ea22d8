import { expect } from 'chai';
import { col, type Database, ValidationError } from '../src/index.js';
import { Doc, Sample, allEntities } from './support/model.js';
import { countRows, openFreshDatabase, plainClient } from './support/test-database.js';

describe('types round-trip exactly; bad values are refused and change nothing', () => {
  let db: Database;

  before(async () => {
    db = await openFreshDatabase(allEntities);
  });
  after(() => db.close());

  async function roundTrip(values: Parameters<ReturnType<typeof sampleApi>['insert']>[0]) {
    const id = await db.transaction(async (s) => (await s.api(Sample).insert(values)).id);
    return db.transaction(async (s) => (await s.api(Sample).load(id)).toObject());
  }
  const sampleApi = (s: Awaited<ReturnType<Database['session']>>) => s.api(Sample);

  it('int8 9223372036854775807 and numeric(18,3) 123456789012345.123 round-trip exactly', async () => {
    const row = await roundTrip({ big: 9223372036854775807n, amount: '123456789012345.123' });
    expect(row.big).to.equal(9223372036854775807n);
    expect(row.amount).to.equal('123456789012345.123');
    const client = await plainClient();
    const r = await client.query('select big::text, amount::text from sample where id = $1', [String(row.id)]);
    await client.end();
    expect(r.rows[0]).to.deep.equal({ big: '9223372036854775807', amount: '123456789012345.123' });
  });

  it('every kind round-trips with its TypeScript type', async () => {
    const at = new Date('2026-11-21T10:11:12.345Z');
    const row = await roundTrip({
      big: -5,
      num: -2147483648,
      label: 'ünïcødé ✓',
      short: '12345',
      amount: 2.5,
      free: '00012.50',
      day: '2024-02-29',
      at,
      flag: false,
      ratio: 0.1,
      doc: { a: 1, tags: ['x', '"q"'] },
    });
    expect(row).to.deep.include({ big: -5n, num: -2147483648, label: 'ünïcødé ✓', short: '12345', amount: '2.500', free: '12.50', day: '2024-02-29', flag: false, ratio: 0.1 });
    expect(row.at).to.be.instanceOf(Date);
    expect(row.at?.getTime()).to.equal(at.getTime());
    expect(row.doc).to.deep.equal({ a: 1, tags: ['x', '"q"'] });
  });

  it('decimal input: bigint, finite numbers by their shortest form, decimal objects, exponents', async () => {
    const decimalObject = { toString: () => '1.5e2' };
    const s = await db.session();
    const r = await s.api(Sample).insert({ amount: 12n });
    expect(r.get('amount')).to.equal('12.000');
    r.set('amount', 0.1);
    expect(r.get('amount')).to.equal('0.100');
    r.set('amount', decimalObject);
    expect(r.get('amount')).to.equal('150.000');
    r.set('amount', '-0.000');
    expect(r.get('amount')).to.equal('0.000');
    r.set('amount', '1.2300');
    expect(r.get('amount')).to.equal('1.230');
    await s.close();
  });

  for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati']) {
    it(`a date does not shift under TZ=${tz}`, async () => {
      const saved = process.env['TZ'];
      process.env['TZ'] = tz;
      try {
        expect(new Date(2026, 0, 1).getTimezoneOffset()).not.to.equal(0);
        const row = await roundTrip({ day: '2026-01-01' });
        expect(row.day).to.equal('2026-01-01');
        const rows = await db.transaction((s) => s.select('select day from sample where id = {id}', { id: row.id }, { day: col.date() }));
        expect(rows[0]?.day).to.equal('2026-01-01');
        expect(await countRows('sample', `id = ${row.id} and day = '2026-01-01'`)).to.equal(1);
      } finally {
        if (saved === undefined) delete process.env['TZ'];
        else process.env['TZ'] = saved;
      }
    });
  }

  const refused: [string, Record<string, unknown>][] = [
    ['NaN as a decimal', { amount: Number.NaN }],
    ['NaN as an int', { num: Number.NaN }],
    ['Infinity as a float8', { ratio: Number.POSITIVE_INFINITY }],
    ['an unsafe integer as int8', { big: 2 ** 53 + 2 }],
    ['a fractional int', { num: 1.5 }],
    ['an int4 overflow', { num: 2 ** 31 }],
    ['an int8 overflow', { big: 2n ** 63n }],
    ['a string with NUL', { label: 'a\u0000b' }],
    ['an over-long string', { short: '123456' }],
    ['a decimal with too many digits before the point', { amount: '1234567890123456' }],
    ['a decimal with too many digits after the point', { amount: '1.0001' }],
    ['a decimal that is not a number', { amount: '1,5' }],
    ['an impossible date', { day: '2026-02-30' }],
    ['a non-leap Feb 29', { day: '2025-02-29' }],
    ['a Date for a date column', { day: new Date() }],
    ['a bool as a string', { flag: 'true' }],
    ['jsonb with a bigint inside', { doc: { a: 1n } }],
    ['an unknown field', { nope: 1 }],
  ];
  for (const [what, values] of refused) {
    it(`refuses ${what} with VALIDATION and changes nothing`, async () => {
      const s = await db.session();
      const before = { cells: s.loadedCells, statements: s.stats.statements };
      const error = await s.api(Sample).insert(values as never).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).code).to.equal('VALIDATION');
      expect((error as ValidationError).entity).to.equal('Sample');
      expect({ cells: s.loadedCells, statements: s.stats.statements }).to.deep.equal(before);
      await s.commit();
      await s.close();
    });
  }

  it('refuses an unknown enum value, a missing required field and a bad set(), leaving the row as it was', async () => {
    const s = await db.session();
    await expectValidation(() => s.api(Doc).insert({ docNumber: 'E', docDate: '2026-01-01', state: 'archived' as 'draft' }));
    await expectValidation(() => s.api(Doc).insert({ docNumber: 'E' } as never));
    const doc = await s.api(Doc).insert({ docNumber: 'E', docDate: '2026-01-01' });
    expect(() => doc.set('state', 'archived' as 'draft')).to.throw(ValidationError, /not one of "draft", "approved"/);
    expect(() => doc.set('docDate', '2026-13-01')).to.throw(ValidationError);
    expect(() => doc.set('id' as never, 5n as never)).to.throw(ValidationError);
    expect(doc.get('state')).to.equal('draft');
    expect(doc.get('docDate')).to.equal('2026-01-01');
    await s.close();
  });

  it('stores SQL-injection strings verbatim', async () => {
    const nasty = ["'; DROP TABLE doc; --", 'a"b\\c', '{1,2}', 'NULL', '', "E'\\x00'", '$$ $tag$'];
    const ids = await db.transaction(async (s) => Promise.all(nasty.map(async (label) => (await s.api(Sample).insert({ label })).id)));
    const client = await plainClient();
    const r = await client.query<{ label: string }>('select label from sample where id = any($1::int8[]) order by id', [ids.map(String)]);
    await client.end();
    expect(r.rows.map((x) => x.label)).to.deep.equal(nasty);
    const found = await db.transaction((s) => s.select('select label from sample where label = {l}', { l: nasty[0] }, { label: col.text() }));
    expect(found).to.deep.equal([{ label: nasty[0] }]);
  });
});

async function expectValidation(call: () => Promise<unknown>): Promise<void> {
  const error = await call().catch((e: unknown) => e);
  expect(error).to.be.instanceOf(ValidationError);
}
