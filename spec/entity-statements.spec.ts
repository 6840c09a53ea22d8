import { expect } from 'chai';
import { statementsFor } from '../src/session/entity-statements.js';
import { Account, DocLine } from './support/model.js';

/** The SQL of one entity, exactly (Kysely's testSql style): every statement cellar generates comes from here. */
describe('per-entity SQL (no database)', () => {
  const lines = statementsFor(DocLine.meta);
  const accounts = statementsFor(Account.meta);
  const column = (field: string) => DocLine.meta.field(field) as NonNullable<ReturnType<typeof DocLine.meta.field>>;

  it('select, rows by ids, existing ids, count', () => {
    expect(lines.selectFrom).to.equal('SELECT t."id", t."id_doc", t."n_order", t."id_item", t."qty", t."note" FROM "doc_line" t');
    expect(lines.whereIdIn).to.equal('t."id" = ANY($1::int8[])');
    expect(lines.existingIds).to.equal('SELECT t."id" FROM "doc_line" t WHERE t."id" = ANY($1::int8[])');
    expect(lines.countWhere).to.equal('SELECT count(*) AS n FROM "doc_line" t WHERE ');
  });

  it('insert through unnest: one array parameter per column, typed', () => {
    expect(lines.insert).to.equal(
      'INSERT INTO "doc_line" ("id", "id_doc", "n_order", "id_item", "qty", "note") SELECT * FROM unnest($1::int8[], $2::int8[], $3::int4[], $4::int8[], $5::numeric[], $6::text[])',
    );
  });

  it('update of the changed columns only; versioned: checked, bumped, and the ids not updated returned', () => {
    expect(lines.update([4, 2])).to.equal('UPDATE "doc_line" t SET "qty" = u.c0, "n_order" = u.c1 FROM unnest($1::int8[], $2::numeric[], $3::int4[]) AS u(k0, c0, c1) WHERE t."id" = u.k0');
    expect(accounts.update([2])).to.equal(
      'WITH u AS (SELECT * FROM unnest($1::int8[], $2::numeric[], $3::int4[]) AS u(k0, c0, v)), ' +
        'w AS (UPDATE "account" t SET "balance" = u.c0, "version" = t."version" + 1 FROM u WHERE t."id" = u.k0 AND t."version" = u.v RETURNING t."id" AS k0) ' +
        'SELECT u.k0 FROM u WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.k0 = u.k0)',
    );
  });

  it('deletes return the ids they did not delete', () => {
    expect(lines.delete).to.equal(
      'WITH w AS (DELETE FROM "doc_line" t WHERE t."id" = ANY($1::int8[]) RETURNING t."id" AS k0) SELECT u.k0 FROM unnest($1::int8[]) AS u(k0) WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.k0 = u.k0)',
    );
    expect(accounts.delete).to.equal(
      'WITH u AS (SELECT * FROM unnest($1::int8[], $2::int4[]) AS u(k0, v)), w AS (DELETE FROM "account" t USING u WHERE t."id" = u.k0 AND t."version" = u.v RETURNING t."id" AS k0) ' +
        'SELECT u.k0 FROM u WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.k0 = u.k0)',
    );
  });

  it('collections, index keys, sort keys, id blocks, findObjects joins', () => {
    expect(lines.whereColumnIn(column('idDoc'))).to.equal('t."id_doc" = ANY($1::int8[])');
    expect(lines.whereKey([column('idDoc'), column('idItem')])).to.equal('t."id_doc" = $1::int8 AND t."id_item" = $2::int8 ORDER BY t."id"');
    expect(lines.whereKeysIn([column('idDoc'), column('idItem')])).to.equal('(t."id_doc", t."id_item") IN (SELECT * FROM unnest($1::int8[], $2::int8[]))');
    expect(lines.sortKey(column('qty'), 'desc', 'last')).to.equal('t."qty" DESC NULLS LAST');
    // One statement reserves the blocks and reads the increment they are sized by.
    expect(lines.nextIds).to.equal(
      `SELECT s.seqincrement, nextval(s.seqrelid::regclass) FROM pg_sequence s, generate_series(1, $1::int4) WHERE s.seqrelid = '"doc_line_id_seq"'::regclass`,
    );
    expect(lines.joinFilters('unnest($1::int8[]) WITH ORDINALITY AS f("id_item", __ord)', 't.id_item = f.id_item')).to.equal(
      'SELECT t."id", t."id_doc", t."n_order", t."id_item", t."qty", t."note", f.__ord::int4 FROM unnest($1::int8[]) WITH ORDINALITY AS f("id_item", __ord) JOIN "doc_line" t ON (t.id_item = f.id_item)',
    );
  });
});
