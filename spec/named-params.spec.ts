import { expect } from 'chai';
import { col, type Database, SqlParamError, ValidationError } from '../src/index.js';
import { compileNamedSql } from '../src/sql/named-params.js';
import { Doc, allEntities } from './support/model.js';
import { openFreshDatabase, inRolledBackSession } from './support/test-database.js';

describe('typed SQL: named parameters and relational select', () => {
  it('rewrites {name} to $n, reusing positions, next to ::casts', () => {
    const c = compileNamedSql('select * from t where a = {a} and b = any({ids}::int8[]) or c = {a}');
    expect(c.text).to.equal('select * from t where a = $1 and b = any($2::int8[]) or c = $1');
    expect(c.names).to.deep.equal(['a', 'ids']);
  });

  it('ignores braces in strings, E-strings, quoted identifiers, dollar quotes and comments', () => {
    const sql = [
      "select '{x}', E'it\\'s {y}', \"{z}\" ,",
      '$$ {d} $$, $fn$ {e} $fn$,',
      '-- {line}',
      '/* {block} /* {nested} */ still {comment} */',
      '{real}',
    ].join('\n');
    const c = compileNamedSql(sql);
    expect(c.names).to.deep.equal(['real']);
    expect(c.text.endsWith('$1')).to.equal(true);
    expect(c.text).to.contain("'{x}'").and.contain('$$ {d} $$').and.contain('{nested}');
  });

  it('leaves positional $1 and array literals alone', () => {
    expect(compileNamedSql("select $1, '{1,2}'::int[]").names).to.deep.equal([]);
  });

  describe('against the database', () => {
    let db: Database;
    before(async () => {
      db = await openFreshDatabase(allEntities);
      await db.transaction(async (s) => {
        for (let i = 0; i < 5; i++) await s.api(Doc).insert({ docNumber: `N-${i}`, docDate: `2026-01-0${i + 1}`, total: `${i}.25` });
      });
    });
    after(() => db.close());

    it('select returns typed rows; arrays become PostgreSQL arrays', async () => {
      const rows = await db.transaction((s) =>
        s.select(
          'select id, doc_number, doc_date, total, count(*) over () as n from doc where doc_number = any({numbers}) and doc_date >= {from}::date order by doc_number',
          { numbers: ['N-1', 'N-3', 'missing'], from: '2026-01-01' },
          { id: col.bigint(), docNumber: col.text(), docDate: col.date(), total: col.decimal({ nullable: true }), n: col.int() },
        ),
      );
      expect(rows.map((r) => ({ ...r, id: typeof r.id }))).to.deep.equal([
        { id: 'bigint', docNumber: 'N-1', docDate: '2026-01-02', total: '1.25', n: 2 },
        { id: 'bigint', docNumber: 'N-3', docDate: '2026-01-04', total: '3.25', n: 2 },
      ]);
    });

    it('bigint arrays, nulls and dates as parameters', async () => {
      const rows = await db.transaction((s) =>
        s.select('select {ids}::int8[] as ids, {nothing}::text as nothing, {at}::timestamptz as at', { ids: [1n, 9223372036854775807n], nothing: null, at: new Date(0) }, {
          ids: col.jsonb<bigint[]>(),
          nothing: col.text({ nullable: true }),
          at: col.timestamptz(),
        }),
      );
      expect(rows[0]?.ids).to.deep.equal([1n, 9223372036854775807n]);
      expect(rows[0]?.nothing).to.equal(null);
      expect(rows[0]?.at.getTime()).to.equal(0);
    });

    it('missing names raise SQL_PARAM listing all of them, before anything is sent', async () => {
      const s = await db.session();
      const error = await s.select('select {a}, {b}, {c}', { b: 1 }, {}).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SqlParamError);
      expect((error as SqlParamError).code).to.equal('SQL_PARAM');
      expect((error as Error).message).to.contain('{a}, {c}');
      expect(s.stats.statements).to.equal(0);
      await s.close();
    });

    it('a NULL in a non-nullable shape field is a VALIDATION error naming the fix', async () => {
      const error = await db.transaction((s) => s.select('select null::text as x', {}, { x: col.text() })).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as Error).message).to.contain('nullable');
    });

    it('select flushes pending changes first, so it sees what the session wrote', async () => {
      await inRolledBackSession(db, async (s) => {
        await s.api(Doc).insert({ docNumber: 'N-new', docDate: '2026-02-01' });
        const rows = await s.select("select count(*) as n from doc where doc_number = 'N-new'", {}, { n: col.int() });
        expect(rows).to.deep.equal([{ n: 1 }]);
      });
    });
  });
});
