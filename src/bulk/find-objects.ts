import { compareIds } from '../schema/keys.js';
import type { Rop } from '../api/rop.js';
import type { Session, SqlParams } from '../api/session.js';
import { unitOfWorkOf } from '../api/session-internals.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity } from '../schema/entity.js';
import { chunk } from '../sql/chunks.js';
import { LIMITS } from '../sql/limits.js';
import { bindNamedParams, compileNamedSql } from '../sql/named-params.js';
import { encodeParam } from '../sql/param-encoding.js';
import { statementsFor } from '../session/entity-statements.js';
import { FilterTable } from './filter-table.js';

/** What `findObjects` searches. */
export interface FindObjectsQuery<E extends AnyEntity, F extends Readonly<Record<string, unknown>>> {
  readonly entity: E;
  /**
   * The filter records; their fields become the columns of `f` (snake_case). Give each key once: rows
   * the handler inserts are not in the database yet, so later filters do not find them.
   */
  readonly filters: readonly F[];
  /** Join condition between `t` (the entity's table) and `f`, e.g. `t.id_item = f.id_item`. May use `{name}` params. */
  readonly sqlConditions: string;
  /** Values of `{name}` parameters in `sqlConditions`. */
  readonly params?: SqlParams;
  /** Filters per statement (default 5,000). */
  readonly chunkSize?: number;
  /**
   * `flush(true)` after each chunk's handlers, to keep memory flat in long jobs (default false: the
   * handlers' changes stay pending and are written by the next flush or commit, in a few statements).
   */
  readonly flushEachChunk?: boolean;
}

/** What the handler gets for each filter. */
export interface FindResult<E extends AnyEntity, F> {
  readonly filter: F;
  /** The first matching row (lowest id), or undefined. */
  readonly rop: Rop<E> | undefined;
  /** Every matching row, in id order. */
  readonly rops: readonly Rop<E>[];
  /** The first match; without one, calls `create` once (typically an insert) and returns what it made. */
  getRopOrElseUpdate(create: () => Rop<E> | Promise<Rop<E>>): Promise<Rop<E>>;
}

/** See {@link BulkProcess.findObjects}. */
export async function findObjects<E extends AnyEntity, F extends Readonly<Record<string, unknown>>>(
  session: Session,
  query: FindObjectsQuery<E, F>,
  handler: (result: FindResult<E, F>) => unknown,
): Promise<void> {
  const chunkSize = query.chunkSize ?? LIMITS.findObjectsChunk;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`findObjects: chunkSize must be a whole number ≥ 1, got ${chunkSize}`);
  if (query.filters.length === 0) return;
  const meta = query.entity.meta;
  const table = new FilterTable(meta, query.filters, query.sqlConditions);
  // No ORDER BY: the rows are grouped by filter position here, in linear time, instead of sorted
  // (often spilled to disk) by the server.
  const sql = statementsFor(meta).joinFilters(table.fromClause, query.sqlConditions);
  const compiled = compileNamedSql(sql);
  const uow = session[unitOfWorkOf];
  const chunks = chunk(query.filters, chunkSize);
  // Validate every chunk's values before the first statement: bad input changes nothing.
  const values = chunks.map((filters) => bindNamedParams(compiled, { ...query.params, ...table.params(filters) }, encodeParam));
  const send = (i: number): Promise<unknown[][]> => {
    const rows = uow.tx.run((c) => c.queryArrays(compiled.text, values[i] as unknown[])).then((r) => r.rows);
    rows.catch(() => undefined); // awaited in turn below; this only keeps an early failure from going unhandled
    return rows;
  };
  let next = send(0);
  for (let c = 0; c < chunks.length; c++) {
    const filters = chunks[c] as F[];
    const rows = await next;
    // The next chunk's statement goes out now, so PostgreSQL works on it while this chunk's handlers run.
    if (c + 1 < chunks.length) next = send(c + 1);
    const ords = new Int32Array(rows.length);
    for (let r = 0; r < rows.length; r++) ords[r] = (rows[r] as unknown[]).pop() as number;
    // A row matching several filters comes several times: the identity lookups keep it one rop.
    const found = uow.rows.materializeAligned(meta, rows) as (Rop<E> | undefined)[];
    const byFilter = groupByFilter(ords, filters.length);
    for (let i = 0; i < filters.length; i++) {
      const from = byFilter.start[i] as number;
      const to = byFilter.start[i + 1] as number;
      let rops: Rop<E>[] = NO_ROWS;
      for (let k = from; k < to; k++) {
        const rop = found[byFilter.rows[k] as number];
        if (rop) (rops === NO_ROWS ? (rops = []) : rops).push(rop);
      }
      if (rops.length > 1) rops.sort(byId);
      const result = handler(new FoundObjects<E, F>(filters[i] as F, rops));
      if (result instanceof Promise) await result;
    }
    if (query.flushEachChunk) await uow.flush(true);
  }
}

const NO_ROWS: never[] = Object.freeze([]) as unknown as never[];

/**
 * A counting sort of row positions by filter position (`ords` are 1-based): the rows of filter `i`
 * are `rows[start[i]] … rows[start[i + 1] - 1]`, in the order the server sent them.
 */
function groupByFilter(ords: Int32Array, filterCount: number): { start: Int32Array; rows: Int32Array } {
  const start = new Int32Array(filterCount + 1);
  for (let r = 0; r < ords.length; r++) (start[ords[r] as number] as number)++;
  for (let i = 1; i <= filterCount; i++) start[i] = (start[i] as number) + (start[i - 1] as number);
  // start[i] now counts the rows of filters 0 … i-1 (ords are 1-based): the first slot of filter i.
  const next = start.slice();
  const rows = new Int32Array(ords.length);
  for (let r = 0; r < ords.length; r++) {
    const filter = (ords[r] as number) - 1;
    rows[(next[filter] as number)++] = r;
  }
  return { start, rows };
}

function byId(a: Rop, b: Rop): number {
  return compareIds(a.id, b.id);
}

/** The per-filter result: a class, so that 100,000 filters cost one small object each and no closures. */
class FoundObjects<E extends AnyEntity, F> implements FindResult<E, F> {
  #made: Rop<E> | undefined;

  constructor(
    readonly filter: F,
    readonly rops: readonly Rop<E>[],
  ) {}

  get rop(): Rop<E> | undefined {
    return this.rops[0];
  }

  getRopOrElseUpdate(create: () => Rop<E> | Promise<Rop<E>>): Promise<Rop<E>> {
    const found = this.rops[0] ?? this.#made;
    if (found) return Promise.resolve(found);
    return Promise.resolve(create()).then((rop) => (this.#made = rop));
  }
}
