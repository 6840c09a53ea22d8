import { BulkProcess, type Database, type Rop, type Session } from '../../src/index.js';
import { BenchDoc, BenchLine, BenchLot } from '../model.js';
import { docValues, lineValues, lotValues, s3Values, s4Qty, type Workload } from './workload.js';

// The six shapes through cellar's entity API, as its guide writes them. Each returns the statements
// the session sent (transaction control excluded).

/** S1: the whole graph in one unit of work. */
export async function cellarInsert(db: Database, w: Workload): Promise<number> {
  return db.transaction(async (s) => {
    const docs = s.api(BenchDoc);
    const lines = s.api(BenchLine);
    const lots = s.api(BenchLot);
    for (let d = 0; d < w.docs; d++) {
      const doc = await docs.insert(docValues(d));
      for (let l = 0; l < w.lines; l++) {
        const n = d * w.lines + l;
        const line = await lines.insertByParent(doc, lineValues(n, l));
        for (let k = 0; k < w.lots; k++) await lots.insertByParent(line, lotValues(n, k));
      }
    }
    await s.flush();
    return s.stats.statements;
  });
}

/** S2: documents by id with `batchIn` of lines and lots, every collection and field walked. */
export async function cellarLoadGraph(db: Database, docIds: readonly bigint[]): Promise<{ touched: number; statements: number }> {
  return db.transaction(async (s) => {
    const lines = s.api(BenchLine);
    const lots = s.api(BenchLot);
    const docs = await s.query(BenchDoc).where({ id: { in: docIds } }).batchIn(BenchLine, BenchLot).all();
    let touched = 0;
    for (const doc of docs) {
      touched += fields(doc, DOC_FIELDS);
      for (const line of lines.childrenOf(doc)) {
        touched += fields(line, LINE_FIELDS);
        for (const lot of lots.childrenOf(line)) touched += fields(lot, LOT_FIELDS);
      }
    }
    return { touched, statements: s.stats.statements };
  });
}

const fieldsOf = (entity: { readonly meta: { readonly columns: readonly { readonly field: string }[] } }): string[] => entity.meta.columns.map((c) => c.field);
const DOC_FIELDS = fieldsOf(BenchDoc);
const LINE_FIELDS = fieldsOf(BenchLine);
const LOT_FIELDS = fieldsOf(BenchLot);

/** Reads every field of a row (the walk's work): the count of non-null values. */
function fields(rop: Rop, names: readonly string[]): number {
  let n = 0;
  for (const field of names) if (rop.get(field as never) !== null) n++;
  return n;
}

/** S3: two fields of every line of the documents, one flush. */
export async function cellarUpdateLines(db: Database, docIds: readonly bigint[], round: number): Promise<number> {
  return db.transaction(async (s) => {
    const docs = await s.query(BenchDoc).where({ id: { in: docIds } }).batchIn(BenchLine).all();
    const lines = s.api(BenchLine);
    let n = 0;
    for (const doc of docs) {
      for (const line of lines.childrenOf(doc)) {
        const v = s3Values(round, n++);
        line.set('qty', v.qty).set('price', v.price);
      }
    }
    await s.flush();
    return s.stats.statements;
  });
}

/** S4: lines in chunks (keys by query), a field changed, `flush(true)` per chunk; one commit. */
export async function cellarChunkedUpdate(db: Database, w: Workload, round: number): Promise<number> {
  const s = await db.session();
  try {
    await new BulkProcess(s).chunkedQuery(BenchLine, { chunkSize: w.chunkSize, sql: 'select id from bench_line order by id limit {n}', params: { n: w.chunked } }, async (rops, info) => {
      const qty = s4Qty(round, info.chunkIndex);
      for (const rop of rops) rop.set('qty', qty);
      await s.flush(true);
    });
    await s.commit();
    return s.stats.statements;
  } finally {
    await s.close();
  }
}

/** S5: the session holding `ids`' lines, nanoseconds per `load` of a cached row (no statement). */
export async function cellarLookups(s: Session, ids: readonly bigint[]): Promise<number> {
  const lines = s.api(BenchLine);
  const before = s.stats.statements;
  const started = performance.now();
  let found = 0;
  for (const id of ids) if ((await lines.load(id)) !== undefined) found++;
  const ns = ((performance.now() - started) * 1e6) / ids.length;
  if (found !== ids.length || s.stats.statements !== before) throw new Error('a cached lookup missed');
  return ns;
}

/** S6: documents deleted with their lines and lots (a cascade). */
export async function cellarDelete(db: Database, docIds: readonly bigint[]): Promise<number> {
  return db.transaction(async (s) => {
    const docs = s.api(BenchDoc);
    docs.delete(await docs.loadMany(docIds));
    await s.flush();
    return s.stats.statements;
  });
}
