import { expect } from 'chai';
import { col, type Database, defineEntity, ValidationError } from '../src/index.js';
import { openFreshDatabase, plainClient } from './support/test-database.js';

/** The kinds of real ERP schemas, each round-tripped through insert, flush, a fresh read and the raw row. */
const Legacy = defineEntity({
  name: 'LegacyRow',
  columns: {
    id: col.id(),
    code: col.char({ length: 4 }),
    label: col.varchar({ length: 10, nullable: true }),
    at: col.timestamp({ nullable: true }),
    key: col.uuid({ nullable: true }),
    blob: col.bytea({ nullable: true }),
    small: col.int2({ nullable: true }),
    ratio: col.float4({ nullable: true }),
  },
});

describe('column kinds: char, varchar, timestamp, uuid, bytea, int2, float4', () => {
  let db: Database;
  before(async () => {
    db = await openFreshDatabase([Legacy]);
  });
  after(() => db.close());

  const raw = async (id: bigint) => {
    const client = await plainClient();
    try {
      const r = await client.query('select code, label, at::text as at, key::text as key, encode(blob, $2) as blob, small, ratio::text as ratio from legacy_row where id = $1', [String(id), 'hex']);
      return r.rows[0] as Record<string, unknown>;
    } finally {
      await client.end();
    }
  };

  it('each value comes back exactly as the rop held it, and the database holds the same', async () => {
    const values = {
      code: 'ab',
      label: 'über',
      at: '2026-12-01T10:30:00.500',
      key: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      blob: Buffer.from([0, 1, 254, 255]),
      small: -32768,
      ratio: 1 / 3,
    };
    const inserted = await db.transaction(async (s) => (await s.api(Legacy).insert(values)).toObject());
    expect(inserted).to.deep.include({ code: 'ab  ', label: 'über', at: '2026-12-01 10:30:00.5', key: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', small: -32768, ratio: 0.33333334 });
    const read = await db.transaction(async (s) => (await s.api(Legacy).load(inserted.id)).toObject());
    expect(read).to.deep.equal(inserted);
    expect(Buffer.isBuffer(read.blob) && read.blob.equals(values.blob)).to.equal(true);
    expect(await raw(inserted.id)).to.deep.equal({ code: 'ab  ', label: 'über', at: '2026-12-01 10:30:00.5', key: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', blob: '0001feff', small: -32768, ratio: '0.33333334' });
  });

  it('batched updates and filters work for every kind', async () => {
    const ids = await db.transaction(async (s) => {
      const rows = [];
      for (let i = 0; i < 3; i++) rows.push(await s.api(Legacy).insert({ code: `c${i}`, key: `00000000-0000-0000-0000-00000000000${i}`, blob: Buffer.from([i]), at: `2026-01-0${i + 1} 00:00:00` }));
      return rows.map((r) => r.id);
    });
    await db.transaction(async (s) => {
      for (const r of await s.api(Legacy).loadMany(ids)) r.set('small', 7).set('ratio', 0.1).set('at', '2027-02-03 04:05:06.123456');
    });
    const found = await db.transaction(async (s) => {
      const byKey = await s.query(Legacy).where({ key: '00000000-0000-0000-0000-000000000001' }).all();
      const byCode = await s.query(Legacy).where({ code: { in: ['c2'] } }).all();
      const byTime = await s.query(Legacy).where({ at: { gte: '2027-02-03 04:05:06.123456' } }).count();
      const shaped = await s.select('select at, key, blob, small, ratio from legacy_row where id = {id}', { id: ids[0] }, { at: col.timestamp(), key: col.uuid(), blob: col.bytea(), small: col.int2(), ratio: col.float4() });
      return { byKey: byKey.map((r) => r.id), byCode: byCode.map((r) => r.get('code')), byTime, shaped: shaped[0] };
    });
    expect(found.byKey).to.deep.equal([ids[1]]);
    expect(found.byCode).to.deep.equal(['c2  ']);
    expect(found.byTime).to.equal(3);
    expect(found.shaped).to.deep.include({ at: '2027-02-03 04:05:06.123456', key: '00000000-0000-0000-0000-000000000000', small: 7, ratio: 0.1 });
  });

  it('refuses what each kind cannot hold with VALIDATION, before any statement', async () => {
    const s = await db.session();
    try {
      const api = s.api(Legacy);
      const bad: [string, unknown][] = [
        ['code', 'abcde'],
        ['label', 'x'.repeat(11)],
        ['at', new Date()],
        ['at', '2026-13-01 00:00:00'],
        ['key', 'not-a-uuid'],
        ['blob', 'text'],
        ['small', 40000],
        ['ratio', 1e39],
      ];
      for (const [field, value] of bad) {
        let error: unknown;
        try {
          await api.insert({ code: 'ok', [field]: value } as never);
        } catch (e) {
          error = e;
        }
        expect(error, `${field} = ${String(value)}`).to.be.instanceOf(ValidationError);
      }
      expect(s.stats.statements).to.equal(0);
    } finally {
      await s.close();
    }
  });

  it('DDL declares each type as written', async () => {
    const client = await plainClient();
    try {
      const r = await client.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
        "select column_name, data_type, character_maximum_length from information_schema.columns where table_name = 'legacy_row' order by ordinal_position",
      );
      expect(r.rows.map((c) => [c.column_name, c.data_type, c.character_maximum_length])).to.deep.equal([
        ['id', 'bigint', null],
        ['code', 'character', 4],
        ['label', 'character varying', 10],
        ['at', 'timestamp without time zone', null],
        ['key', 'uuid', null],
        ['blob', 'bytea', null],
        ['small', 'smallint', null],
        ['ratio', 'real', null],
      ]);
    } finally {
      await client.end();
    }
  });
});
