import { expect } from 'chai';
import { BulkProcess, type Database, NotFoundError } from '../src/index.js';
import { expectRejection } from './support/expect-rejection.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { countRows, openFreshDatabase } from './support/test-database.js';

/** One spec per bug found, named after what broke. */
describe('regressions', () => {
  let db: Database;
  before(async () => {
    db = await openFreshDatabase(allEntities);
  });
  after(() => db.close());

  it('an un-awaited delete() followed by commit() deletes the row (delete marks at once, like set())', async () => {
    const id = await db.transaction(async (s) => {
      const doc = await s.api(Doc).insert({ docNumber: 'unawaited', docDate: '2026-12-01' });
      await s.api(DocLine).insertByParent(doc, { nOrder: 1, idItem: 1n, qty: '1' });
      return doc.id;
    });
    const s = await db.session();
    try {
      const doc = await s.api(Doc).load(id);
      s.api(Doc).delete(doc); // no await: nothing to wait for
      expect(doc.exists()).to.equal(false);
      await s.commit();
    } finally {
      await s.close();
    }
    expect(await countRows('doc', `id = ${id}`)).to.equal(0);
    expect(await countRows('doc_line', `id_doc = ${id}`)).to.equal(0);
  });

  it('load of a missing id is NOT_FOUND naming the entity and the id; find says undefined', async () => {
    const s = await db.session();
    try {
      const e = await expectRejection(s.api(Doc).load(987654321n), NotFoundError);
      expect(e).to.include({ code: 'NOT_FOUND', entity: 'Doc', id: 987654321n });
      expect(await s.api(Doc).find(987654321n)).to.equal(undefined);
      await expectRejection(s.api(Doc).loadMany([987654321n]), NotFoundError);
    } finally {
      await s.close();
    }
  });

  it('chunkedQuery takes its job as one object too, the same as the positional form', async () => {
    await db.transaction(async (s) => {
      for (let i = 0; i < 5; i++) await s.api(Doc).insert({ docNumber: `job-${i}`, docDate: '2026-12-01' });
    });
    const s = await db.session();
    try {
      const seen: number[] = [];
      const result = await new BulkProcess(s).chunkedQuery(Doc, { chunkSize: 2, sql: "select id from doc where doc_number like {p}", params: { p: 'job-%' } }, (rops) => void seen.push(rops.length));
      expect(seen).to.deep.equal([2, 2, 1]);
      expect(result.rows).to.equal(5);
    } finally {
      await s.close();
    }
  });
});
