import { UsageError } from '../errors/usage-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity, EntityBase, FieldOf } from '../schema/entity.js';
import { bindNamedParams, compileNamedSql } from '../sql/named-params.js';
import { encodeParam } from '../sql/param-encoding.js';
import { loadOrder } from '../session/collection-loader.js';
import { statementsFor } from '../session/entity-statements.js';
import type { RowState } from '../session/row-state.js';
import { lockClause, type LockMode } from '../session/row-lock.js';
import type { UnitOfWork } from '../session/unit-of-work.js';
import type { RememberOptions } from '../cache/shared-cache.js';
import { tableTag } from '../cache/table-tag.js';
import { encodeValue } from '../cache/value-codec.js';
import { asRops, type Rop } from './rop.js';
import { rememberedRead } from './remembered-read.js';
import { filtersToSql, type WhereFilters, type WhereSql } from './where-filters.js';

/** A sort direction of {@link ObjectQuery.orderBy}, in any case. */
export type SortDirection = 'asc' | 'desc' | 'ASC' | 'DESC' | 'Asc' | 'Desc';

/** Where {@link ObjectQuery.orderBy} puts NULLs. */
export type NullsOrder = 'first' | 'last';

interface QueryState {
  readonly remember?: RememberOptions;
  readonly conditions: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly order: readonly string[];
  readonly limit?: number;
  readonly offset?: number;
  readonly batchIn: readonly EntityBase[];
  /** The locking clause (` FOR UPDATE OF t …`), checked when `lock()` was called. */
  readonly lock?: string;
}

/**
 * An object query (the original platform's `OQuery`): rows of one entity by field filters and SQL
 * fragments, entering the transaction cache, with child collections eagerly loaded by `batchIn`.
 * Each method returns a new query; the original is unchanged.
 *
 * The query reads the database as of the last flush and merges with the session: a row already in
 * the cache comes back as the same rop with the session's values, rows deleted in the session are
 * left out, and rows inserted but not flushed are not returned (flush first when you need them).
 *
 * @example
 * ```ts
 * const docs = await s.query(Doc).where({ state: 'draft', docDate: { gte: '2026-01-01' } })
 *   .orderBy('docDate').batchIn(DocLine, Lot).all();   // 3 statements, however many rows
 * ```
 */
export class ObjectQuery<E extends AnyEntity> {
  readonly #state: QueryState;

  /** @internal Start queries with `session.query(Entity)`. */
  constructor(
    readonly entity: E,
    private readonly unitOfWork: () => UnitOfWork,
    state: QueryState = { conditions: [], params: {}, order: [], batchIn: [] },
  ) {
    this.#state = Object.freeze(state);
  }

  /** Field filters (ANDed with everything else): a value means equality, `null` IS NULL, or operators. */
  where(filters: WhereFilters<E>): ObjectQuery<E> {
    const into: WhereSql = { conditions: [...this.#state.conditions], params: { ...this.#state.params } };
    filtersToSql(this.entity.meta, filters as Readonly<Record<string, unknown>>, into);
    return this.#with({ conditions: into.conditions, params: into.params });
  }

  /**
   * A SQL condition over alias `t` with `{name}` parameters — the escape hatch.
   * `whereSql('t.total > {min} or t.state = {s}', { min: '100', s: 'draft' })`
   */
  whereSql(fragment: string, params: Readonly<Record<string, unknown>> = {}): ObjectQuery<E> {
    for (const name of Object.keys(params)) {
      if (name.startsWith('__w')) throw new UsageError(`whereSql: parameter names starting with __w are reserved (got {${name}})`);
      if (name in this.#state.params && this.#state.params[name] !== params[name]) {
        throw new UsageError(`whereSql: parameter {${name}} is already bound to another value in this query`);
      }
    }
    return this.#with({ conditions: [...this.#state.conditions, `(${fragment})`], params: { ...this.#state.params, ...params } });
  }

  /**
   * Adds a sort key (several calls sort by each in turn): `direction` is `asc` (default) or `desc` in
   * any case, `nulls` puts NULLs `first` or `last` (PostgreSQL's default: last ascending, first
   * descending). Anything else is `VALIDATION`.
   */
  orderBy(field: FieldOf<E>, direction: SortDirection = 'asc', nulls?: NullsOrder): ObjectQuery<E> {
    const column = this.entity.meta.field(field);
    if (!column) throw ValidationError.unknownField(this.entity.meta.name, field);
    const dir = typeof direction === 'string' ? direction.toLowerCase() : direction;
    if (dir !== 'asc' && dir !== 'desc') throw ValidationError.badSortDirection(this.entity.meta.name, field, direction);
    if (nulls !== undefined && nulls !== 'first' && nulls !== 'last') throw ValidationError.badNullsOrder(this.entity.meta.name, field, nulls);
    return this.#with({ order: [...this.#state.order, statementsFor(this.entity.meta).sortKey(column, dir, nulls)] });
  }

  /** At most `n` rows. Without `orderBy`, rows are ordered by id so that pages are stable. */
  limit(n: number): ObjectQuery<E> {
    return this.#with({ limit: checkCount('limit', n) });
  }

  /** Skip `n` rows. */
  offset(n: number): ObjectQuery<E> {
    return this.#with({ offset: checkCount('offset', n) });
  }

  /** Also load these child collections (children of children too): one statement per entity. */
  batchIn(...entities: EntityBase[]): ObjectQuery<E> {
    const batchIn = [...this.#state.batchIn, ...entities];
    loadOrder(this.entity.meta, batchIn.map((e) => e.meta));
    return this.#with({ batchIn });
  }

  /**
   * Serve the rows from the shared cache (`db.cache`) when they are there, and store them after a read.
   * The entity's table is a tag (a commit writing it invalidates the entry) besides `tags`. Only
   * committed data is stored: in a transaction that wrote the table, the query goes to the database.
   * Cached rows enter the transaction cache like read ones (in-session changes still win).
   */
  remember(options: RememberOptions): ObjectQuery<E> {
    if (this.#state.lock) throw new UsageError('a locked query always reads the database: remove remember() or lock()');
    return this.#with({ remember: options });
  }

  /**
   * Lock the matching rows (`FOR UPDATE OF t` …) until the transaction ends. A locked query always
   * reads the database (it cannot be `remember`ed) and merges like a refresh: clean cached rows take
   * the values read under the lock. With `skipLocked`, rows other transactions hold are left out —
   * the queue-worker pattern (`.orderBy('id').limit(10).lock('update', { skipLocked: true })`).
   * Children loaded by `batchIn` are not locked. `count()` takes no lock.
   */
  lock(mode: LockMode, options: { readonly skipLocked?: boolean; readonly noWait?: boolean } = {}): ObjectQuery<E> {
    if (this.#state.remember) throw new UsageError('a locked query always reads the database: remove remember() or lock()');
    return this.#with({ lock: lockClause(this.entity.meta.name, { lock: mode, ...options }) });
  }

  /** The matching rows, as rops of the transaction cache. */
  async all(): Promise<Rop<E>[]> {
    const uow = this.unitOfWork();
    const { text, values } = this.#compile(true);
    const rows = await this.#rows(uow, text, values);
    if (this.#state.batchIn.length > 0) {
      await uow.collections.eager(this.entity.meta, rows, this.#state.batchIn.map((e) => e.meta));
    }
    return asRops<E>(rows);
  }

  /** The first matching row, or undefined. */
  async first(): Promise<Rop<E> | undefined> {
    const [row] = await this.limit(1).all();
    return row;
  }

  /** The number of matching rows in the database (one `count(*)`; unflushed changes are not counted). */
  async count(): Promise<number> {
    const { text, values } = this.#compile(false, statementsFor(this.entity.meta).countWhere);
    const result = await this.unitOfWork().tx.run((c) => c.queryArrays(text, values));
    return Number(result.rows[0]?.[0] ?? 0);
  }

  async #rows(uow: UnitOfWork, text: string, values: unknown[]): Promise<RowState[]> {
    const { meta } = this.entity;
    const remember = this.#state.remember;
    if (!remember) return uow.rows.where(meta, text, values, this.#state.lock ? 'refresh' : 'keep');
    const key = `oquery:${meta.table}:${text}:${encodeValue(values)}`;
    const options = { ...remember, tags: [tableTag(meta.table), ...(remember.tags ?? [])] };
    const selectRows = `${statementsFor(meta).selectFrom} WHERE ${text}`;
    const read = (): Promise<unknown[][]> => uow.rows.query(meta, text, values);
    const cached = await rememberedRead(uow, key, options, meta.table, read, async () => (await uow.tx.queryOutsideSession(selectRows, values)).rows);
    // Rops own their value arrays and change them; the cached arrays must stay as read.
    return uow.rows.materialize(meta, cached.map((row) => row.slice()));
  }

  /** @internal The WHERE part and its values, for loaders that read rows without the transaction cache. */
  whereClause(): { where: string; values: unknown[] } {
    const { text, values } = this.#compile(true);
    return { where: text, values };
  }

  /**
   * `prefix` + the conditions (+ ORDER BY / LIMIT / OFFSET with `paging`), with every `{name}`
   * rewritten to `$n`. Without a prefix the result is the WHERE part that `loadWhere` completes.
   */
  #compile(paging: boolean, prefix = ''): { text: string; values: unknown[] } {
    const { conditions, order, limit, offset } = this.#state;
    let tail = conditions.length > 0 ? conditions.join(' AND ') : 'true';
    if (paging) {
      const sort = order.length > 0 ? order : limit !== undefined || offset !== undefined ? [statementsFor(this.entity.meta).keyOrder] : [];
      if (sort.length > 0) tail += ` ORDER BY ${sort.join(', ')}`;
      if (limit !== undefined) tail += ` LIMIT ${limit}`;
      if (offset !== undefined) tail += ` OFFSET ${offset}`;
      if (this.#state.lock) tail += this.#state.lock;
    }
    const compiled = compileNamedSql(prefix + tail);
    return { text: compiled.text, values: bindNamedParams(compiled, this.#state.params, encodeParam) };
  }

  #with(change: Partial<QueryState>): ObjectQuery<E> {
    return new ObjectQuery(this.entity, this.unitOfWork, { ...this.#state, ...change });
  }
}

function checkCount(what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError(`${what} takes a whole number ≥ 0, got ${n}`);
  return n;
}
