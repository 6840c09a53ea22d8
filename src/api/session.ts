import { USER_SQL } from '../db/connection.js';
import type { AnyEntity } from '../schema/entity.js';
import { bindNamedParams, compileNamedSql } from '../sql/named-params.js';
import { encodeParam } from '../sql/param-encoding.js';
import { createShapeDecoder, type Shape, type ShapeRow } from '../sql/row-shape.js';
import type { SessionStats } from '../session/session-stats.js';
import type { UnitOfWork } from '../session/unit-of-work.js';
import type { RememberOptions } from '../cache/shared-cache.js';
import { encodeValue } from '../cache/value-codec.js';
import { EntityApi } from './entity-api.js';
import { rememberedRead } from './remembered-read.js';
import { ObjectQuery } from './object-query.js';
import { streamRows, type StreamOptions } from './row-stream.js';
import { unitOfWorkOf } from './session-internals.js';

/** Named SQL parameters: `{name}` in the SQL takes `params.name`. */
export type SqlParams = Readonly<Record<string, unknown>>;

/** Options of `session.select`. */
export interface SelectOptions {
  /**
   * Serve the rows from `db.cache` and store them after a read, for `ttlMs`, under `tags` (give the
   * tables the query reads, e.g. `tableTag('doc')` = `'table:doc'`, so that commits writing them
   * invalidate it). Skipped when the transaction has written anything: only committed data is cached.
   */
  readonly remember?: RememberOptions;
}

/**
 * A unit of work: one connection, one transaction at a time, a transaction cache of rops, and batched
 * writes at flush/commit. Not safe for concurrent use from unrelated tasks; open one per request or job.
 *
 * @example
 * ```ts
 * const s = await db.session();
 * try {
 *   const doc = await s.api(Doc).insert({ docNumber: 'A-1', docDate: '2026-11-21' });
 *   await s.commit();          // INSERT … SELECT * FROM unnest(…); COMMIT
 * } finally {
 *   await s.close();
 * }
 * ```
 */
export class Session {
  /** @internal */
  readonly [unitOfWorkOf]: UnitOfWork;
  readonly #apis = new Map<AnyEntity, EntityApi<AnyEntity>>();
  readonly #onClose: () => void;

  /** @internal Sessions are made by `db.session()` and `db.transaction()`. */
  constructor(unitOfWork: UnitOfWork, onClose: () => void = () => undefined) {
    this[unitOfWorkOf] = unitOfWork;
    this.#onClose = onClose;
  }

  /** The entity API bound to this session (one instance per entity per session). */
  api<E extends AnyEntity>(entity: E): EntityApi<E> {
    let api = this.#apis.get(entity) as EntityApi<E> | undefined;
    if (!api) {
      api = new EntityApi(entity, this);
      this.#apis.set(entity, api as unknown as EntityApi<AnyEntity>);
    }
    return api;
  }

  /** Counters: statements sent, rows loaded and written, cells held, flushes and their time. */
  get stats(): SessionStats {
    return this[unitOfWorkOf].stats;
  }

  /** Cells (rows × columns) held in the transaction cache; bounded by `cellLimit`. */
  get loadedCells(): number {
    return this[unitOfWorkOf].stats.cells;
  }

  /**
   * Writes pending inserts, updates and deletes inside the open transaction, in batched statements.
   * With `clear = true` the transaction cache is emptied too and the cell counter reset; rops from
   * before become detached.
   */
  flush(clear = false): Promise<void> {
    return this[unitOfWorkOf].flush(clear);
  }

  /** Flushes, commits and clears the cache. The session can then start a new transaction. */
  commit(): Promise<void> {
    return this[unitOfWorkOf].commit();
  }

  /** Rolls back, clears the cache; an aborted session becomes usable again. */
  rollback(): Promise<void> {
    return this[unitOfWorkOf].rollback();
  }

  /** Rolls back anything uncommitted and returns the connection to the pool. */
  async close(): Promise<void> {
    try {
      await this[unitOfWorkOf].close();
    } finally {
      this.#onClose();
    }
  }

  /**
   * Runs `fn` inside a savepoint: if it throws, only its part is undone — the outer transaction's
   * work stays, the session is usable again, and the cache is cleared (rops from before become
   * detached; reload what you need). Pending changes are flushed before the savepoint.
   *
   * @example
   * ```ts
   * await s.savepoint(async () => { await registerOptionalStatus(s); }).catch(logAndContinue);
   * ```
   */
  savepoint<T>(fn: () => Promise<T>): Promise<T> {
    return this[unitOfWorkOf].savepoint(fn);
  }

  /**
   * A relational query with typed rows and no caching. Pending changes are flushed first, so the SQL
   * sees what the session wrote. `{name}` parameters; arrays become PostgreSQL arrays.
   *
   * @example
   * ```ts
   * const rows = await s.select('select id, qty from doc_line where id_doc = any({ids})',
   *   { ids: [doc.id] }, { id: col.bigint(), qty: col.decimal() });
   * ```
   */
  async select<S extends Shape>(sql: string, params: SqlParams, shape: S, options: SelectOptions = {}): Promise<ShapeRow<S>[]> {
    const compiled = compileNamedSql(sql);
    const values = bindNamedParams(compiled, params, encodeParam);
    const uow = this[unitOfWorkOf];
    await uow.flush();
    const read = async (): Promise<{ fields: { name: string }[]; rows: unknown[][] }> => {
      const result = await uow.tx.run((c) => c.queryArrays(compiled.text, values, USER_SQL));
      return { fields: result.fields.map((f) => ({ name: f.name })), rows: result.rows };
    };
    const { remember } = options;
    // A raw select may read any table (table undefined): after this transaction wrote anything, it goes to the database.
    const result = remember
      ? await rememberedRead(uow, `select:${compiled.text}:${encodeValue(values)}`, remember, undefined, read, () => uow.tx.queryOutsideSession(compiled.text, values))
      : await read();
    const decode = createShapeDecoder(shape, result.fields);
    return result.rows.map(decode);
  }

  /**
   * Runs a statement that returns no rows (an UPDATE, a DELETE, a DDL) after flushing pending changes,
   * and returns the affected row count. Rows it changes that the cache holds are not refreshed:
   * use `flush(true)` first when that matters.
   */
  /**
   * Streams a relational query's typed rows in batches through a cursor, in flat memory. Pending
   * changes are flushed first. Other statements of the session may run between rows (see
   * docs/collections-and-queries.md); an early `break` closes the cursor.
   *
   * @example
   * ```ts
   * for await (const r of s.stream('select id, qty from doc_line', {}, { id: col.bigint(), qty: col.decimal() })) { … }
   * ```
   */
  async *stream<S extends Shape>(sql: string, params: SqlParams, shape: S, options: StreamOptions = {}): AsyncGenerator<ShapeRow<S>, void, undefined> {
    const compiled = compileNamedSql(sql);
    const values = bindNamedParams(compiled, params, encodeParam);
    const uow = this[unitOfWorkOf];
    await uow.flush();
    yield* streamRows(uow, compiled.text, values, shape, options);
  }

  /**
   * An object query over an entity: `where`, `whereSql`, `orderBy`, `limit`, `offset`, `batchIn`,
   * then `all()`, `first()` or `count()`. Results enter the transaction cache.
   */
  query<E extends AnyEntity>(entity: E): ObjectQuery<E> {
    return new ObjectQuery(entity, () => this[unitOfWorkOf]);
  }

  async execute(sql: string, params: SqlParams = {}): Promise<number> {
    const compiled = compileNamedSql(sql);
    const values = bindNamedParams(compiled, params, encodeParam);
    const uow = this[unitOfWorkOf];
    await uow.flush();
    uow.tx.writes.wroteUnknown(); // raw SQL may write any table: the commit invalidates every table tag
    const result = await uow.tx.run((c) => c.query(compiled.text, values, USER_SQL));
    return result.rowCount ?? 0;
  }
}
