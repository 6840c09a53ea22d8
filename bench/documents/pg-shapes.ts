import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { docValues, lineValues, lotValues, s3Values, s4Qty, type Workload } from './workload.js';

/** A client that counts the statements it sends (BEGIN and COMMIT excluded, as cellar counts). */
export class CountingClient {
  statements = 0;
  constructor(readonly client: pg.PoolClient) {}

  query(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    if (text !== 'BEGIN' && text !== 'COMMIT') this.statements++;
    return this.client.query(text, values);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const result = await fn();
      await this.query('COMMIT');
      return result;
    } catch (e) {
      await this.client.query('ROLLBACK');
      throw e;
    }
  }
}

// Hand-written node-postgres, as a competent engineer writes it: arrays through unnest or `= ANY`,
// every collection in one statement, default type parsing (int8 and numeric as strings).

/** S1: the whole graph in three `INSERT … SELECT * FROM unnest(…) RETURNING id`. */
export async function pgInsertUnnest(c: CountingClient, w: Workload): Promise<void> {
  await c.transaction(async () => {
    const docs = Array.from({ length: w.docs }, (_, d) => docValues(d));
    const docIds = (await c.query('INSERT INTO bench_doc (doc_number, doc_date, total) SELECT * FROM unnest($1::text[], $2::date[], $3::numeric[]) RETURNING id', [docs.map((d) => d.docNumber), docs.map((d) => d.docDate), docs.map((d) => d.total)])).rows.map((r) => r.id as string);
    const idDoc: string[] = [], nOrder: number[] = [], idItem: string[] = [], qty: string[] = [], price: string[] = [];
    for (let d = 0; d < w.docs; d++) {
      for (let l = 0; l < w.lines; l++) {
        const v = lineValues(d * w.lines + l, l);
        idDoc.push(docIds[d] as string); nOrder.push(v.nOrder); idItem.push(String(v.idItem)); qty.push(v.qty); price.push(v.price);
      }
    }
    const lineIds = (await c.query('INSERT INTO bench_line (id_doc, n_order, id_item, qty, price) SELECT * FROM unnest($1::int8[], $2::int4[], $3::int8[], $4::numeric[], $5::numeric[]) RETURNING id', [idDoc, nOrder, idItem, qty, price])).rows.map((r) => r.id as string);
    const idLine: string[] = [], lotCode: string[] = [], lotQty: string[] = [];
    lineIds.forEach((id, n) => {
      for (let k = 0; k < w.lots; k++) {
        const v = lotValues(n, k);
        idLine.push(id); lotCode.push(v.lotCode); lotQty.push(v.qty);
      }
    });
    await c.query('INSERT INTO bench_lot (id_line, lot_code, qty) SELECT * FROM unnest($1::int8[], $2::text[], $3::numeric[])', [idLine, lotCode, lotQty]);
  });
}

/** S1 by COPY: ids reserved with `nextval` first (three statements), then three `COPY … FROM STDIN`. */
export async function pgInsertCopy(c: CountingClient, w: Workload): Promise<void> {
  await c.transaction(async () => {
    const ids = async (seq: string, n: number): Promise<string[]> => (await c.query(`SELECT nextval('${seq}') AS id FROM generate_series(1, $1)`, [n])).rows.map((r) => r.id as string);
    const docIds = await ids('bench_doc_id_seq', w.docs);
    const lineIds = await ids('bench_line_id_seq', w.docs * w.lines);
    const lotIds = await ids('bench_lot_id_seq', w.docs * w.lines * w.lots);
    await copy(c, 'COPY bench_doc (id, doc_number, doc_date, total) FROM STDIN', function* () {
      for (let d = 0; d < w.docs; d++) {
        const v = docValues(d);
        yield `${docIds[d]}\t${v.docNumber}\t${v.docDate}\t${v.total}\n`;
      }
    });
    await copy(c, 'COPY bench_line (id, id_doc, n_order, id_item, qty, price) FROM STDIN', function* () {
      for (let n = 0; n < lineIds.length; n++) {
        const v = lineValues(n, n % w.lines);
        yield `${lineIds[n]}\t${docIds[Math.floor(n / w.lines)]}\t${v.nOrder}\t${v.idItem}\t${v.qty}\t${v.price}\n`;
      }
    });
    await copy(c, 'COPY bench_lot (id, id_line, lot_code, qty) FROM STDIN', function* () {
      for (let n = 0; n < lotIds.length; n++) {
        const line = Math.floor(n / w.lots);
        const v = lotValues(line, n % w.lots);
        yield `${lotIds[n]}\t${lineIds[line]}\t${v.lotCode}\t${v.qty}\n`;
      }
    });
  });
}

async function copy(c: CountingClient, sql: string, rows: () => Generator<string>): Promise<void> {
  c.statements++;
  // Rows joined into ~64 KB pieces: one write per row would cost more than the COPY saves.
  const pieces = function* () {
    let piece = '';
    for (const row of rows()) {
      piece += row;
      if (piece.length >= 65536) {
        yield piece;
        piece = '';
      }
    }
    if (piece) yield piece;
  };
  await pipeline(Readable.from(pieces()), c.client.query(copyFrom(sql)));
}

/** S2: documents by id, then their lines and the lines' lots by `= ANY`, every collection and field walked. */
export async function pgLoadGraph(c: CountingClient, docIds: readonly string[]): Promise<number> {
  return c.transaction(async () => {
    const docs = (await c.query('SELECT id, doc_number, doc_date, total FROM bench_doc WHERE id = ANY($1::int8[])', [docIds])).rows;
    const lines = (await c.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id_doc = ANY($1::int8[])', [docs.map((d) => d.id)])).rows;
    const lots = (await c.query('SELECT id, id_line, lot_code, qty FROM bench_lot WHERE id_line = ANY($1::int8[])', [lines.map((l) => l.id)])).rows;
    const linesOf = groupBy(lines, 'id_doc');
    const lotsOf = groupBy(lots, 'id_line');
    let touched = 0;
    for (const doc of docs) {
      touched += fields(doc);
      for (const line of linesOf.get(doc.id) ?? []) {
        touched += fields(line);
        for (const lot of lotsOf.get(line.id) ?? []) touched += fields(lot);
      }
    }
    return touched;
  });
}

function groupBy(rows: readonly Record<string, unknown>[], field: string): Map<unknown, Record<string, unknown>[]> {
  const out = new Map<unknown, Record<string, unknown>[]>();
  for (const r of rows) {
    const list = out.get(r[field]);
    if (list) list.push(r);
    else out.set(r[field], [r]);
  }
  return out;
}

/** Reads every field of a row (the walk's work): the count of non-null values. */
function fields(row: Record<string, unknown>): number {
  let n = 0;
  for (const k in row) if (row[k] !== null) n++;
  return n;
}

/** S3: two fields of every line of the documents: one select, one `UPDATE … FROM unnest`. */
export async function pgUpdateLines(c: CountingClient, docIds: readonly string[], round: number): Promise<void> {
  await c.transaction(async () => {
    const lines = (await c.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id_doc = ANY($1::int8[])', [docIds])).rows;
    const qty: string[] = [], price: string[] = [];
    lines.forEach((l, n) => {
      const v = s3Values(round, n);
      qty.push(v.qty); price.push(v.price);
    });
    await c.query('UPDATE bench_line t SET qty = u.qty, price = u.price FROM unnest($1::int8[], $2::numeric[], $3::numeric[]) u(id, qty, price) WHERE t.id = u.id', [lines.map((l) => l.id), qty, price]);
  });
}

/** S4: the keys by one query, then per chunk one select and one update; one commit. */
export async function pgChunkedUpdate(c: CountingClient, w: Workload, round: number): Promise<void> {
  await c.transaction(async () => {
    const ids = (await c.query('SELECT id FROM bench_line ORDER BY id LIMIT $1', [w.chunked])).rows.map((r) => r.id as string);
    for (let at = 0, chunk = 0; at < ids.length; at += w.chunkSize, chunk++) {
      const rows = (await c.query('SELECT id, id_doc, n_order, id_item, qty, price FROM bench_line WHERE id = ANY($1::int8[])', [ids.slice(at, at + w.chunkSize)])).rows;
      const qty = s4Qty(round, chunk);
      await c.query('UPDATE bench_line t SET qty = u.qty FROM unnest($1::int8[], $2::numeric[]) u(id, qty) WHERE t.id = u.id', [rows.map((r) => r.id), rows.map(() => qty)]);
    }
  });
}

/** S6 as the issue measured hand-written pg: the children's ids read, then deleted by id, lots first. */
export async function pgDeleteByIds(c: CountingClient, docIds: readonly string[]): Promise<void> {
  await c.transaction(async () => {
    const lineIds = (await c.query('SELECT id FROM bench_line WHERE id_doc = ANY($1::int8[])', [docIds])).rows.map((r) => r.id as string);
    const lotIds = (await c.query('SELECT id FROM bench_lot WHERE id_line = ANY($1::int8[])', [lineIds])).rows.map((r) => r.id as string);
    await c.query('DELETE FROM bench_lot WHERE id = ANY($1::int8[])', [lotIds]);
    await c.query('DELETE FROM bench_line WHERE id = ANY($1::int8[])', [lineIds]);
    await c.query('DELETE FROM bench_doc WHERE id = ANY($1::int8[])', [docIds]);
  });
}

/** S6 by parent key, nothing read: what TypeORM's query builder does. */
export async function pgDeleteByParent(c: CountingClient, docIds: readonly string[]): Promise<void> {
  await c.transaction(async () => {
    await c.query('DELETE FROM bench_lot WHERE id_line IN (SELECT id FROM bench_line WHERE id_doc = ANY($1::int8[]))', [docIds]);
    await c.query('DELETE FROM bench_line WHERE id_doc = ANY($1::int8[])', [docIds]);
    await c.query('DELETE FROM bench_doc WHERE id = ANY($1::int8[])', [docIds]);
  });
}
