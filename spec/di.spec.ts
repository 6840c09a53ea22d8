import { expect } from 'chai';
import { Container, inject, injectable } from 'inversify';
import { apiOf, BulkProcess, cellarModule, CellarTokens, type Database, EntityApi, NoSessionError, type Rop, type Session, type SessionSource } from '../src/index.js';
import { Doc, DocLine, allEntities } from './support/model.js';
import { countRows, openFreshDatabase } from './support/test-database.js';

/** A domain service: an EntityApi subclass with a workflow method. */
@injectable()
class DocApi extends EntityApi<typeof Doc> {
  constructor(@inject(CellarTokens.SessionSource) session: SessionSource) {
    super(Doc, session);
  }

  /** Approves a draft: totals its lines (walking the collection) and changes its state. */
  async approve(id: bigint): Promise<Rop<typeof Doc>> {
    const doc = await this.load(id);
    let total = 0;
    for (const line of await this.api(DocLine).byParent(doc)) total += Number(line.get('qty'));
    return doc.set('state', 'approved').set('total', total.toFixed(2));
  }
}

/** A service that depends on injected APIs. */
@injectable()
class Receiving {
  constructor(
    @inject(DocApi) private readonly docs: DocApi,
    @inject(apiOf(DocLine)) private readonly lines: EntityApi<typeof DocLine>,
  ) {}

  async receive(number: string, qty: string[]): Promise<bigint> {
    const doc = await this.docs.insert({ docNumber: number, docDate: '2026-11-21' });
    for (const [i, q] of qty.entries()) await this.lines.insertByParent(doc, { nOrder: i, idItem: 1n, qty: q });
    return doc.id;
  }
}

describe('dependency injection and the ambient session', () => {
  let db: Database;
  let container: Container;

  before(async () => {
    db = await openFreshDatabase(allEntities);
    container = new Container();
    container.loadSync(cellarModule(db, { services: [DocApi, Receiving] }));
  });
  after(() => db.close());

  it('injected services act on the session of the current db.transaction', async () => {
    const receiving = container.get(Receiving);
    const id = await db.transaction(() => receiving.receive('DI-1', ['1.5', '2.5']));
    const approved = await db.transaction(async (s) => {
      const doc = await container.get(DocApi).approve(id);
      expect(container.get<Session>(CellarTokens.Session)).to.equal(s);
      expect(container.get<BulkProcess>(CellarTokens.BulkProcess)).to.be.instanceOf(BulkProcess);
      return doc.get('total');
    });
    expect(approved).to.equal('4.00');
    expect(await countRows('doc', `id = ${id} and state = 'approved' and total = 4`)).to.equal(1);
  });

  it('50 concurrent transactions through the same injected services each see only their own session', async () => {
    const docs = container.get(DocApi);
    const lines = container.get(apiOf(DocLine));
    expect(container.get(DocApi)).to.equal(docs); // singletons
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction(async (s) => {
          const doc = await docs.insert({ docNumber: `P-${i}`, docDate: '2026-11-21' });
          await new Promise((r) => setTimeout(r, Math.random() * 20));
          await lines.insertByParent(doc, { nOrder: 0, idItem: BigInt(i), qty: String(i) });
          expect(container.get<Session>(CellarTokens.Session)).to.equal(s);
          // the API's insert went to this session: flushed here, it is this session's rop
          await s.flush();
          expect(await s.query(Doc).where({ docNumber: `P-${i}` }).all()).to.deep.equal([doc]);
          const [line] = await lines.byParent(doc);
          return line?.get('qty');
        }),
      ),
    );
    expect(results).to.deep.equal(Array.from({ length: 50 }, (_, i) => `${i}.000`));
    expect(await countRows('doc', "doc_number like 'P-%'")).to.equal(50);
  });

  it('calling an injected API outside any session raises NO_SESSION', async () => {
    const error = await container.get(DocApi).load(1n).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NoSessionError);
    expect((error as NoSessionError).code).to.equal('NO_SESSION');
    expect(() => container.get(CellarTokens.Session)).to.throw(NoSessionError);
  });

  it('db.withSession makes an explicit session ambient', async () => {
    const s = await db.session();
    const id = await db.withSession(s, () => container.get(Receiving).receive('W-1', ['1']));
    await s.commit();
    await s.close();
    expect(await countRows('doc', `id = ${id}`)).to.equal(1);
  });
});
