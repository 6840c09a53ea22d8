import { expect } from 'chai';
import { col, type Database, DefinitionError, defineEntity, SqlParamError, ValidationError } from '../../src/index.js';
import { EntityRegistry } from '../../src/schema/entity-registry.js';
import { schemaStatements } from '../../src/schema/ddl.js';
import { expectRejection } from '../support/expect-rejection.js';
import { Doc, Sample, allEntities } from '../support/model.js';
import { openFreshDatabase, plainClient, StatementLog } from '../support/test-database.js';

/** Hostile input is refused before any SQL is sent, and the session stays usable. */
describe('faults: bad input is refused before anything is sent', () => {
  const log = new StatementLog();
  let db: Database;
  before(async () => {
    db = await openFreshDatabase(allEntities, { onStatement: log.listener });
  });
  after(() => db.close());

  describe('NUL characters (\\u0000)', () => {
    it('in a jsonb value or key: VALIDATION at set() and insert(), the session untouched', async () => {
      const s = await db.session();
      try {
        const row = await s.api(Sample).insert({ doc: { a: 1 } });
        expect(() => row.set('doc', { tags: ['x\u0000y'] })).to.throw(ValidationError, /NUL/);
        expect(() => row.set('doc', { ['k\u0000']: 1 } as never)).to.throw(ValidationError, /NUL/);
        await expectRejection(s.api(Sample).insert({ doc: { tags: ['\u0000'] } }), ValidationError);
        // A backslash before "u0000" is text, not a NUL: it is stored as written.
        row.set('doc', { tags: ['\\u0000'] });
        await s.commit();
        const client = await plainClient();
        const r = await client.query<{ doc: unknown }>('select doc from sample where id = $1', [String(row.id)]);
        await client.end();
        expect(r.rows[0]?.doc).to.deep.equal({ tags: ['\\u0000'] });
      } finally {
        await s.close();
      }
    });

    it('in a like pattern: VALIDATION before any statement', async () => {
      const s = await db.session();
      try {
        log.clear();
        expect(() => s.query(Doc).where({ docNumber: { like: 'a\u0000%' } })).to.throw(ValidationError, /NUL/);
        expect(log.sql).to.deep.equal([]);
      } finally {
        await s.close();
      }
    });

    it('in a select or execute parameter (a string, inside an array, inside JSON): SQL_PARAM before any statement, the session usable', async () => {
      const s = await db.session();
      try {
        log.clear();
        await expectRejection(s.select('select {v}::text as v', { v: 'a\u0000b' }, { v: col.text() }), SqlParamError);
        await expectRejection(s.select('select {v}::text[] as v', { v: ['ok', 'a\u0000b'] }, { v: col.text() }), SqlParamError);
        await expectRejection(s.select('select {v}::jsonb as v', { v: { k: 'a\u0000b' } }, { v: col.text() }), SqlParamError);
        await expectRejection(s.execute('update doc set doc_number = {v} where false', { v: '\u0000' }), SqlParamError);
        expect(log.sql).to.deep.equal([]);
        const [row] = await s.select('select {v}::text as v', { v: 'fine' }, { v: col.text() });
        expect(row?.v).to.equal('fine');
      } finally {
        await s.close();
      }
    });
  });

  describe('generated identifiers past 63 bytes', () => {
    const long = 'a'.repeat(50);
    it('are shortened deterministically with a hash, never truncated into a collision', () => {
      const Parent = defineEntity({ name: 'P', table: `p_${long}`, columns: { id: col.id() } });
      const Child = defineEntity({
        name: 'C',
        table: `c_${long}`,
        columns: { id: col.id(), [`ref${'X'.repeat(30)}One`]: col.ref(Parent), [`ref${'X'.repeat(30)}Two`]: col.ref(Parent) },
      });
      const ddl = schemaStatements(new EntityRegistry([Parent, Child]));
      const names = ddl.flatMap((s) => [...s.matchAll(/(?:INDEX IF NOT EXISTS|SEQUENCE IF NOT EXISTS) "([^"]+)"/g)].map((m) => m[1] as string));
      expect(names).to.have.length(4); // two sequences, two foreign-key indexes
      for (const n of names) expect(Buffer.byteLength(n)).to.be.at.most(63);
      expect(new Set(names).size).to.equal(names.length);
      expect(schemaStatements(new EntityRegistry([Parent, Child]))).to.deep.equal(ddl); // deterministic
    });

    it('a created schema has an index on each of two long foreign-key columns', async () => {
      const Parent = defineEntity({ name: 'LongParent', table: `lp_${long}`, columns: { id: col.id() } });
      const Child = defineEntity({
        name: 'LongChild',
        table: `lc_${long}`,
        columns: { id: col.id(), [`ref${'X'.repeat(30)}One`]: col.ref(Parent), [`ref${'X'.repeat(30)}Two`]: col.ref(Parent) },
      });
      const other = await openFreshDatabase([Parent, Child]);
      try {
        const client = await plainClient();
        const r = await client.query<{ n: string }>('select count(*) as n from pg_indexes where tablename = $1 and indexname <> $2', [`lc_${long}`, `lc_${long}_pkey`]);
        await client.end();
        expect(Number(r.rows[0]?.n)).to.equal(2);
      } finally {
        await other.schema.drop();
        await other.close();
      }
    });

    it('a table or column name the user gave that is too long is a DEFINITION error', () => {
      expect(() => defineEntity({ name: 'T', table: 't'.repeat(64), columns: { id: col.id() } })).to.throw(DefinitionError, /63 bytes/);
      expect(() => defineEntity({ name: 'T', columns: { id: col.id(), ['f'.repeat(64)]: col.int() } })).to.throw(DefinitionError, /63 bytes/);
    });
  });

  describe('orderBy directions', () => {
    it('asc/desc in any case sort as asked; nulls first/last', async () => {
      await db.transaction(async (s) => {
        await s.execute('delete from doc');
        for (const n of ['b', 'a', 'c']) await s.api(Doc).insert({ docNumber: n, docDate: '2026-12-01' });
      });
      const numbers = (direction: string) =>
        db.transaction(async (s) => (await s.query(Doc).orderBy('docNumber', direction as 'desc').all()).map((r) => r.get('docNumber')));
      expect(await numbers('DESC')).to.deep.equal(['c', 'b', 'a']);
      expect(await numbers('Desc')).to.deep.equal(['c', 'b', 'a']);
      expect(await numbers('ASC')).to.deep.equal(['a', 'b', 'c']);
      const totals = await db.transaction(async (s) => {
        const [first] = await s.query(Doc).all();
        first?.set('total', '5');
        await s.flush();
        return (await s.query(Doc).orderBy('total', 'asc', 'first').all()).map((r) => r.get('total'));
      });
      expect(totals).to.deep.equal([null, null, '5.00']);
    });

    it('anything else is VALIDATION, nothing sent', async () => {
      const s = await db.session();
      try {
        log.clear();
        for (const bad of ['sideways', 'DESC; delete from item', '']) {
          expect(() => s.query(Doc).orderBy('docNumber', bad as 'asc'), bad).to.throw(ValidationError, /asc.*desc/);
        }
        expect(() => s.query(Doc).orderBy('docNumber', 'asc', 'middle' as 'first')).to.throw(ValidationError, /first.*last/);
        expect(log.sql).to.deep.equal([]);
      } finally {
        await s.close();
      }
    });
  });

  describe('named parameters', () => {
    it('{bad-name} or {1x}: SQL_PARAM before anything is sent, the session usable', async () => {
      const s = await db.session();
      try {
        log.clear();
        for (const sql of ['select {bad-name} as v', 'select {1x} as v', 'select { x } as v', 'select {} as v']) {
          await expectRejection(s.select(sql, {}, { v: col.int() }), SqlParamError);
        }
        expect(log.sql).to.deep.equal([]);
        const [row] = await s.select("select {x}::int as v, '{not-a-param}' as t -- {nor} this", { x: 1 }, { v: col.int(), t: col.text() });
        expect(row).to.deep.equal({ v: 1, t: '{not-a-param}' });
      } finally {
        await s.close();
      }
    });

    it('an unused parameter: SQL_PARAM naming it', async () => {
      const s = await db.session();
      try {
        const e = await expectRejection(s.select('select {x}::int as v', { x: 1, typo: 2 }, { v: col.int() }), SqlParamError);
        expect(e.message).to.contain('{typo}');
      } finally {
        await s.close();
      }
    });
  });
});
