import pg from 'pg';
import { Database, type Rop } from '../src/index.js';
import { type Comparison, time } from './harness.js';
import { BenchDoc, BenchLine, BenchLot } from './model.js';

const DOCS = 5000;
const LINES_PER_DOC = 20;

/**
 * The unit-of-work core against hand-written node-postgres doing the same work with the same SQL
 * techniques (unnest inserts, UPDATE … FROM unnest, = ANY selects).
 */
export async function coreScenarios(url: string, runs: number): Promise<Comparison[]> {
  const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot] });
  await db.schema.drop();
  await db.schema.create();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const insert: Comparison = { scenario: `insert ${DOCS} docs × ${LINES_PER_DOC} lines (${DOCS * LINES_PER_DOC} rows), one commit`, cellarMs: [], pgMs: [], bar: 1.25 };
  const update: Comparison = { scenario: `update 2 columns of ${DOCS * LINES_PER_DOC} lines, one flush`, cellarMs: [], pgMs: [], bar: 1.25 };
  const load: Comparison = { scenario: `loadMany ${DOCS * LINES_PER_DOC} lines in chunks of 10,000`, cellarMs: [], pgMs: [], bar: 1.5 };
  try {
    for (let run = 0; run < runs; run++) {
      // Alternate who goes first so that neither always meets a warmer cache.
      for (const who of run % 2 ? (['pg', 'cellar'] as const) : (['cellar', 'pg'] as const)) {
        await truncate(pool);
        if (who === 'cellar') insert.cellarMs.push(await time(() => cellarInsert(db)));
        else insert.pgMs.push(await time(() => pgInsert(pool)));
        const ids = await lineIds(pool);
        if (who === 'cellar') {
          // Each side gets the ids in its native form (bigint for cellar, text for pg), outside the timing.
          const bigIds = ids.map(BigInt);
          load.cellarMs.push(await time(() => cellarLoad(db, bigIds)));
          update.cellarMs.push(await cellarUpdate(db, ids, run));
        } else {
          load.pgMs.push(await time(() => pgLoad(pool, ids)));
          update.pgMs.push(await pgUpdate(pool, run));
        }
      }
    }
  } finally {
    await pool.end();
    await db.close();
  }
  return [insert, update, load];
}

async function truncate(pool: pg.Pool): Promise<void> {
  await pool.query('TRUNCATE bench_lot, bench_line, bench_doc');
  await pool.query('VACUUM ANALYZE bench_line');
  await pool.query('VACUUM ANALYZE bench_doc');
}

async function lineIds(pool: pg.Pool): Promise<string[]> {
  return (await pool.query<{ id: string }>('SELECT id FROM bench_line ORDER BY id')).rows.map((r) => r.id);
}

export async function cellarInsert(db: Database): Promise<void> {
  await db.transaction(async (s) => {
    const docs = s.api(BenchDoc);
    const lines = s.api(BenchLine);
    for (let d = 0; d < DOCS; d++) {
      const doc = await docs.insert({ docNumber: `D-${d}`, docDate: '2026-11-21', total: '0' });
      for (let l = 0; l < LINES_PER_DOC; l++) {
        await lines.insertByParent(doc, { nOrder: l, idItem: BigInt(l), qty: '1.500', price: '10.00' });
      }
    }
  });
}

async function pgInsert(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const docIds = (await client.query<{ id: string }>("SELECT nextval('bench_doc_id_seq') AS id FROM generate_series(1, $1)", [DOCS])).rows.map((r) => r.id);
    const lineIdsAll = (await client.query<{ id: string }>("SELECT nextval('bench_line_id_seq') AS id FROM generate_series(1, $1)", [DOCS * LINES_PER_DOC])).rows.map((r) => r.id);
    const numbers: string[] = [];
    for (let d = 0; d < DOCS; d++) numbers.push(`D-${d}`);
    await client.query(
      'INSERT INTO bench_doc (id, doc_number, doc_date, total) SELECT * FROM unnest($1::int8[], $2::text[], $3::date[], $4::numeric[])',
      [docIds, numbers, numbers.map(() => '2026-11-21'), numbers.map(() => '0')],
    );
    const idDoc: string[] = [];
    const nOrder: number[] = [];
    const idItem: string[] = [];
    const qty: string[] = [];
    const price: string[] = [];
    for (let d = 0; d < DOCS; d++) {
      for (let l = 0; l < LINES_PER_DOC; l++) {
        idDoc.push(docIds[d] as string);
        nOrder.push(l);
        idItem.push(String(l));
        qty.push('1.500');
        price.push('10.00');
      }
    }
    await client.query(
      'INSERT INTO bench_line (id, id_doc, n_order, id_item, qty, price) SELECT * FROM unnest($1::int8[], $2::int8[], $3::int4[], $4::int8[], $5::numeric[], $6::numeric[])',
      [lineIdsAll, idDoc, nOrder, idItem, qty, price],
    );
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function cellarLoad(db: Database, ids: readonly bigint[]): Promise<void> {
  await db.transaction(async (s) => {
    const lines = s.api(BenchLine);
    for (let i = 0; i < ids.length; i += 10_000) {
      const rops = await lines.loadMany(ids.slice(i, i + 10_000));
      if (rops.length !== Math.min(10_000, ids.length - i)) throw new Error('short load');
    }
  });
}

async function pgLoad(pool: pg.Pool, ids: readonly string[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (let i = 0; i < ids.length; i += 10_000) {
      const r = await client.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id = ANY($1::int8[])', [ids.slice(i, i + 10_000)]);
      if (r.rows.length !== Math.min(10_000, ids.length - i)) throw new Error('short load');
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** Loads all lines (not timed), then times the changes, the flush and the commit. */
async function cellarUpdate(db: Database, ids: readonly string[], run: number): Promise<number> {
  const s = await db.session();
  try {
    const rops: Rop<typeof BenchLine>[] = await s.api(BenchLine).loadMany(ids.map(BigInt));
    return await time(async () => {
      for (const rop of rops) {
        rop.set('qty', `${run + 2}.250`);
        rop.set('price', `${rop.get('nOrder')}.10`);
      }
      await s.commit();
    });
  } finally {
    await s.close();
  }
}

/** Reads all lines (not timed), then times building the arrays, the UPDATE and the commit. */
async function pgUpdate(pool: pg.Pool, run: number): Promise<number> {
  const client = await pool.connect();
  try {
    const rows = (await client.query<{ id: string; n_order: number }>('SELECT id, n_order FROM bench_line')).rows;
    return await time(async () => {
      await client.query('BEGIN');
      const ids: string[] = [];
      const qty: string[] = [];
      const price: string[] = [];
      for (const r of rows) {
        ids.push(r.id);
        qty.push(`${run + 2}.250`);
        price.push(`${r.n_order}.10`);
      }
      await client.query('UPDATE bench_line t SET qty = u.qty, price = u.price FROM unnest($1::int8[], $2::numeric[], $3::numeric[]) AS u(id, qty, price) WHERE t.id = u.id', [
        ids,
        qty,
        price,
      ]);
      await client.query('COMMIT');
    });
  } finally {
    client.release();
  }
}
