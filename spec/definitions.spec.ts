import { expect } from 'chai';
import { col, Database, DefinitionError, defineEntity, UsageError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { databaseUrl, openFreshDatabase, plainClient } from './support/test-database.js';

function definitionProblems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(DefinitionError);
    expect((e as DefinitionError).code).to.equal('DEFINITION');
    return (e as DefinitionError).problems;
  }
  expect.fail('expected a DefinitionError');
}

describe('entity definitions and DDL', () => {
  it('derives snake_case table and column names', () => {
    expect(DocLine.meta.table).to.equal('doc_line');
    expect(DocLine.meta.columns.map((c) => c.column)).to.deep.equal(['id', 'id_doc', 'n_order', 'id_item', 'qty', 'note']);
    expect(DocLine.meta.parent?.fields).to.deep.equal(['idDoc']);
  });

  it('reports every problem of a definition at once', () => {
    const problems = definitionProblems(() =>
      defineEntity({
        name: 'Broken',
        parent: { entity: Doc, field: 'nOrder' as never },
        columns: {
          nOrder: col.int(),
          amount: { kind: 'decimal', nullable: false, precision: 4, scale: 6 },
          code: col.text({ maxLength: 2, enum: ['long'] }),
          flag: col.bool({ default: 'yes' as unknown as boolean }),
          ['x'.repeat(70)]: col.int(),
        },
        indexes: { byNothing: ['missing' as never] },
      }),
    );
    expect(problems.join('\n')).to.contain('has no primary key');
    expect(problems.join('\n')).to.contain('scale needs a precision');
    expect(problems.join('\n')).to.contain('enum value "long" is longer than maxLength 2');
    expect(problems.join('\n')).to.contain('flag: default');
    expect(problems.join('\n')).to.contain('63 bytes');
    expect(problems.join('\n')).to.contain('must be a col.ref');
    expect(problems.join('\n')).to.contain('field "missing" is not a column');
    expect(problems.length).to.be.at.least(7);
  });

  it('checks the shape with the ajv schema (unknown keys, wrong kinds)', () => {
    const problems = definitionProblems(() =>
      defineEntity({ name: 'bad name', columns: { id: col.id(), x: { kind: 'money', nullable: false } as never }, extra: 1 } as never),
    );
    expect(problems.join('\n')).to.contain('must NOT have additional properties');
    expect(problems.join('\n')).to.contain('pattern');
    expect(problems.join('\n')).to.contain('allowed values');
  });

  it('checks entities together at Database.open: unique tables, registered references, matching parent', async () => {
    const Twin = defineEntity({ name: 'Twin', table: 'doc', columns: { id: col.id() } });
    const Orphan = defineEntity({ name: 'Orphan', columns: { id: col.id(), idDoc: col.ref(Doc) } });
    const error = await Database.open({ url: databaseUrl(), entities: [Doc, Twin, Orphan, DocLine] }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DefinitionError);
    const problems = (error as DefinitionError).problems.join('\n');
    expect(problems).to.contain('table "doc" is used by two entities');
    const error2 = await Database.open({ url: databaseUrl(), entities: [Orphan] }).catch((e: unknown) => e);
    expect((error2 as DefinitionError).problems.join('\n')).to.contain('Orphan.idDoc references Doc, which is not among the entities');
  });

  it('schema.create() is idempotent and creates sequences, FKs and an index on every FK and declared index', async () => {
    const db = await openFreshDatabase(allEntities);
    await db.schema.create();
    const client = await plainClient();
    const indexes = await client.query<{ indexname: string }>("select indexname from pg_indexes where tablename = 'doc_line' order by 1");
    const fks = await client.query<{ conname: string }>("select conname from pg_constraint where conrelid = 'doc_line'::regclass and contype = 'f'");
    const seq = await client.query<{ increment_by: string }>("select increment_by::text from pg_sequences where sequencename = 'doc_line_id_seq'");
    await client.end();
    expect(indexes.rows.map((r) => r.indexname)).to.include.members(['doc_line_by_item_idx', 'doc_line_id_doc_fk_idx', 'doc_line_pkey']);
    expect(fks.rows).to.have.length(1);
    expect(seq.rows[0]?.increment_by).to.equal('100');
    expect(db.schema.sql()).to.contain('CREATE TABLE IF NOT EXISTS "doc_line"').and.contain('"qty" numeric(18,3) NOT NULL').and.contain(`CHECK ("state" IN ('draft', 'approved'))`);
    await db.close();
  });

  it('Database.open without a URL or DATABASE_URL says how to get one', async () => {
    const saved = process.env['DATABASE_URL'];
    delete process.env['DATABASE_URL'];
    try {
      const error = await expectRejection(Database.open({ entities: [Doc] }), UsageError);
      expect(error.code).to.equal('USAGE');
      expect(error.message).to.contain('DATABASE_URL');
    } finally {
      if (saved !== undefined) process.env['DATABASE_URL'] = saved;
    }
  });
});
