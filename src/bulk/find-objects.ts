import type { Rop } from '../api/rop.js';
import type { Session, SqlParams } from '../api/session.js';
import { unitOfWorkOf } from '../api/session-internals.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity } from '../schema/entity.js';
import { quoteIdentifier as q } from '../schema/naming.js';
import { chunk } from '../sql/chunks.js';
import { bindNamedParams, compileNamedSql } from '../sql/named-params.js';
import { encodeParam } from '../sql/param-encoding.js';
import { statementsFor } from '../session/entity-statements.js';
import { FilterTable } from './filter-table.js';

/** What `findObjects` searches. */
export interface FindObjectsQuery<E extends AnyEntity, F extends Readonly<Record<string, unknown>>> {
  readonly entity: E;
  /** The filter records; their fields become the columns of `f` (snake_case). */
  readonly filters: readonly F[];
  /** Join condition between `t` (the entity's table) and `f`, e.g. `t.id_item = f.id_item`. May use `{name}` params. */
  readonly sqlConditions: string;
  /** Values of `{name}` parameters in `sqlConditions`. */
  readonly params?: SqlParams;
  /** Filters per statement (default 5,000). */
  readonly chunkSize?: number;
  /** `flush(true)` after each chunk's handlers, to keep memory flat in long jobs (default false). */
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
  const chunkSize = query.chunkSize ?? 5000;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`findObjects: chunkSize must be a whole number ≥ 1, got ${chunkSize}`);
  if (query.filters.length === 0) return;
  const meta = query.entity.meta;
  const table = new FilterTable(meta, query.filters);
  const sql = `SELECT ${statementsFor(meta).selectList}, f.__ord FROM ${table.fromClause} JOIN ${q(meta.table)} t ON (${query.sqlConditions}) ORDER BY f.__ord, t.${q(meta.id.column)}`;
  const compiled = compileNamedSql(sql);
  const uow = session[unitOfWorkOf];
  for (const filters of chunk(query.filters, chunkSize)) {
    const values = bindNamedParams(compiled, { ...query.params, ...table.params(filters) }, encodeParam);
    await uow.flush(); // rows the handlers inserted for earlier chunks are found by later ones
    const raw = await uow.run((c) => c.queryArrays(compiled.text, values));
    const ords = raw.rows.map((row) => Number(row.pop()));
    uow.materialize(meta, raw.rows);
    const matches: Rop<E>[][] = filters.map(() => []);
    raw.rows.forEach((row, i) => {
      const rop = uow.cached(meta, row[meta.idIndex] as bigint) as Rop<E> | undefined;
      if (rop) matches[(ords[i] as number) - 1]?.push(rop);
    });
    for (let i = 0; i < filters.length; i++) {
      await handler(findResult(filters[i] as F, matches[i] as Rop<E>[]));
    }
    if (query.flushEachChunk) await uow.flush(true);
  }
}

function findResult<E extends AnyEntity, F>(filter: F, rops: readonly Rop<E>[]): FindResult<E, F> {
  let made: Rop<E> | undefined;
  return {
    filter,
    rop: rops[0],
    rops,
    async getRopOrElseUpdate(create) {
      const found = rops[0] ?? made;
      if (found) return found;
      made = await create();
      return made;
    },
  };
}
