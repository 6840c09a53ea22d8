import { type AnyEntity, col, Database, defineEntity, type Rop } from '../src/index.js';
import { type Comparison, median, time } from './harness.js';

const DOCS = 5000;
const LINES_PER_DOC = 20;
const WAREHOUSES = 10;

/** The core workload on `col.id()` keys … */
const IdDoc = defineEntity({ name: 'BenchKeyDoc', columns: { id: col.id(), docNumber: col.text(), total: col.decimal({ precision: 18, scale: 2 }) } });
const IdLine = defineEntity({
  name: 'BenchKeyLine',
  parent: { entity: IdDoc, field: 'idDoc', onDelete: 'cascade' },
  columns: { id: col.id(), idDoc: col.ref(IdDoc), nOrder: col.int(), qty: col.decimal({ precision: 18, scale: 3 }), price: col.decimal({ precision: 18, scale: 2 }) },
});

/** … and on TPC-C style composite keys (warehouse, document, line), the child keyed under its parent. */
const PairDoc = defineEntity({
  name: 'BenchPairDoc',
  primaryKey: ['wId', 'docNo'],
  columns: { wId: col.int(), docNo: col.int(), docNumber: col.text(), total: col.decimal({ precision: 18, scale: 2 }) },
});
const PairLine = defineEntity({
  name: 'BenchPairLine',
  primaryKey: ['wId', 'docNo', 'nOrder'],
  parent: { entity: PairDoc, fields: ['wId', 'docNo'], onDelete: 'cascade' },
  columns: { wId: col.int(), docNo: col.int(), nOrder: col.int(), qty: col.decimal({ precision: 18, scale: 3 }), price: col.decimal({ precision: 18, scale: 2 }) },
});

interface Shape {
  readonly doc: AnyEntity;
  readonly line: AnyEntity;
  docValues(d: number): Record<string, unknown>;
  /** The keys of every line, as `loadMany` takes them. */
  lineKeys(db: Database): Promise<unknown[]>;
}

const byId: Shape = {
  doc: IdDoc,
  line: IdLine,
  docValues: (d) => ({ docNumber: `D-${d}`, total: '0' }),
  lineKeys: (db) => db.transaction(async (s) => (await s.select('SELECT id FROM bench_key_line ORDER BY id', {}, { id: col.bigint() })).map((r) => r.id)),
};
const byPair: Shape = {
  doc: PairDoc,
  line: PairLine,
  docValues: (d) => ({ wId: d % WAREHOUSES, docNo: d, docNumber: `D-${d}`, total: '0' }),
  lineKeys: async () => {
    const keys: unknown[] = [];
    for (let d = 0; d < DOCS; d++) for (let l = 0; l < LINES_PER_DOC; l++) keys.push([d % WAREHOUSES, d, l]);
    return keys;
  },
};

/**
 * The same document workload on composite keys and on `col.id()`, one after the other in each run:
 * what a key of three int4 columns costs against one int8 (bar: within 1.1×). `cellarMs` holds the
 * composite timings, `pgMs` the col.id() ones (see {@link keyTable}).
 */
export async function keyScenarios(url: string, runs: number): Promise<Comparison[]> {
  const db = await Database.open({ url, entities: [IdDoc, IdLine, PairDoc, PairLine] });
  await db.schema.drop();
  await db.schema.create();
  const rows = DOCS * LINES_PER_DOC;
  const insert: Comparison = { scenario: `insert ${DOCS} docs × ${LINES_PER_DOC} lines (${rows} rows), one commit`, cellarMs: [], pgMs: [], bar: 1.1 };
  const load: Comparison = { scenario: `loadMany ${rows} lines by key in chunks of 10,000`, cellarMs: [], pgMs: [], bar: 1.1 };
  const update: Comparison = { scenario: `update 2 columns of ${rows} lines, one flush`, cellarMs: [], pgMs: [], bar: 1.1 };
  const batch: Comparison = { scenario: `${DOCS} docs with their lines (batchIn), then byParent of each`, cellarMs: [], pgMs: [], bar: 1.1 };
  try {
    for (let run = 0; run < runs; run++) {
      for (const shape of run % 2 ? [byId, byPair] : [byPair, byId]) {
        const into = (c: Comparison): number[] => (shape === byPair ? c.cellarMs : c.pgMs);
        await db.transaction((s) => s.select(`TRUNCATE ${shape.line.meta.sqlTable}, ${shape.doc.meta.sqlTable}`, {}, {}));
        into(insert).push(await time(() => insertAll(db, shape)));
        const keys = await shape.lineKeys(db);
        into(load).push(await time(() => loadAll(db, shape, keys)));
        into(update).push(await updateAll(db, shape, keys, run));
        into(batch).push(await time(() => walkAll(db, shape)));
      }
    }
  } finally {
    await db.schema.drop();
    await db.close();
  }
  return [insert, load, update, batch];
}

async function insertAll(db: Database, shape: Shape): Promise<void> {
  await db.transaction(async (s) => {
    for (let d = 0; d < DOCS; d++) {
      const doc = await s.api(shape.doc).insert(shape.docValues(d) as never);
      for (let l = 0; l < LINES_PER_DOC; l++) await s.api(shape.line).insertByParent(doc, { nOrder: l, qty: '1.500', price: '10.00' } as never);
    }
  });
}

async function loadAll(db: Database, shape: Shape, keys: readonly unknown[]): Promise<void> {
  await db.transaction(async (s) => {
    for (let i = 0; i < keys.length; i += 10_000) {
      const rops = await s.api(shape.line).loadMany(keys.slice(i, i + 10_000));
      if (rops.length !== Math.min(10_000, keys.length - i)) throw new Error('short load');
    }
  });
}

/** Loads all lines (not timed), then times the changes, the flush and the commit. */
async function updateAll(db: Database, shape: Shape, keys: readonly unknown[], run: number): Promise<number> {
  const s = await db.session();
  try {
    const rops: Rop[] = await s.api(shape.line).loadMany(keys);
    return await time(async () => {
      for (const rop of rops) {
        rop.set('qty' as never, `${run + 2}.250` as never);
        rop.set('price' as never, `${rop.get('nOrder' as never)}.10` as never);
      }
      await s.commit();
    });
  } finally {
    await s.close();
  }
}

async function walkAll(db: Database, shape: Shape): Promise<void> {
  await db.transaction(async (s) => {
    const docs = await s.query(shape.doc).batchIn(shape.line).all();
    let lines = 0;
    for (const doc of docs) lines += (await s.api(shape.line).byParent(doc)).length;
    if (lines !== DOCS * LINES_PER_DOC) throw new Error(`walked ${lines} lines`);
  });
}

/** Markdown table of the key comparison: composite against col.id(), with the 1.1× bar. */
export function keyTable(rows: readonly Comparison[]): string {
  const lines = ['| scenario | composite key (median ms) | col.id() (median ms) | composite / id | bar | holds |', '|---|---:|---:|---:|---:|:---:|'];
  for (const r of rows) {
    const ratio = median(r.cellarMs) / median(r.pgMs);
    lines.push(`| ${r.scenario} | ${median(r.cellarMs).toFixed(1)} | ${median(r.pgMs).toFixed(1)} | ${ratio.toFixed(2)} | ≤ ${r.bar} | ${ratio <= (r.bar ?? Infinity) ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}
