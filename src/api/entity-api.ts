import { UsageError } from '../errors/usage-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity, FieldInput, FieldOf, FieldValue, IndexesOf, InsertByParentValues, InsertValues, IsUniqueIndex, KeyInput, WritableField } from '../schema/entity.js';
import type { EntityMeta } from '../schema/entity-meta.js';
import type { CacheIndex } from '../session/cache-index.js';
import { isLive } from '../session/row-state.js';
import type { UnitOfWork } from '../session/unit-of-work.js';
import type { LockOptions } from '../session/row-lock.js';
import { lockedRows, rowsByKeys } from './keyed-reads.js';
import { collectionOf, parentKeyForInsert } from './parent-link.js';
import { asRop, asRops, asRopsOrUndefined, type Rop, rowOf } from './rop.js';
import { type HasUnitOfWork, unitOfWorkOf } from './session-internals.js';
import { TxIndex } from './tx-index.js';
import { UniqueTxIndex } from './unique-tx-index.js';

/** Something that yields the session an API acts on: a session, or a function returning the current one. */
export type SessionSource = HasUnitOfWork | (() => HasUnitOfWork);

/**
 * The per-entity API (the original platform's `Stk_DocApi()`): insert, load, find, delete and
 * change rows of one entity in a session. Get one with `session.api(Doc)`, or subclass it to add
 * domain methods.
 *
 * @example
 * ```ts
 * const docs = s.api(Doc);
 * const doc = await docs.insert({ docNumber: 'A-1', docDate: '2026-11-21' });
 * const same = await docs.load(doc.id);   // no statement: served from the transaction cache
 * ```
 */
export class EntityApi<E extends AnyEntity> {
  readonly #source: SessionSource;

  constructor(
    /** The entity this API serves. */
    readonly entity: E,
    session: SessionSource,
  ) {
    this.#source = session;
  }

  /** The API of another entity, acting on the same session (for domain methods of subclasses). */
  protected api<X extends AnyEntity>(entity: X): EntityApi<X> {
    return new EntityApi(entity, this.#source);
  }

  /** @internal The unit of work of the session this call acts on; throws if that session is aborted or closed. */
  protected get unitOfWork(): UnitOfWork {
    const session = typeof this.#source === 'function' ? this.#source() : this.#source;
    const uow = session[unitOfWorkOf];
    uow.tx.assertUsable();
    if (uow !== this.#checked) {
      if (!uow.registry.has(this.meta)) {
        throw UsageError.notRegistered(this.meta.name);
      }
      this.#checked = uow;
    }
    return uow;
  }

  /** The unit of work whose registry was last checked for this entity (the check runs once per session). */
  #checked: UnitOfWork | undefined;

  /** Runtime metadata of the entity. */
  get meta(): EntityMeta {
    return this.entity.meta;
  }

  /**
   * Inserts a row: values are validated at once, defaults applied, and the id allocated from the
   * entity's sequence (pooled: most calls issue no statement). Written at the next flush.
   */
  insert(values: InsertValues<E>): Promise<Rop<E>> {
    try {
      return this.unitOfWork.changes.insert(this.meta, values as Record<string, unknown>) as unknown as Promise<Rop<E>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Inserts a child row of `parent`'s collection: the parent-ref field is set from `parent`. */
  insertByParent(parent: Rop, values: InsertByParentValues<E>): Promise<Rop<E>> {
    try {
      const { relation, key } = parentKeyForInsert(this.meta, parent, values as Record<string, unknown>);
      return this.unitOfWork.changes.insert(this.meta, values as Record<string, unknown>, relation.columnIndexes, key) as unknown as Promise<Rop<E>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * The row with this id: from the transaction cache when present (no statement), otherwise one
   * SELECT. Throws `NOT_FOUND` when there is none (or it was deleted in this session).
   *
   * With `{ lock }` the row is always read and locked (`SELECT … FOR UPDATE`, one statement) and its
   * values are the database's as of the lock, unless this session had changed it already; `noWait`
   * fails with `LOCK_NOT_AVAILABLE` when another transaction holds it, `skipLocked` makes a held row
   * `NOT_FOUND` (use `find` to get undefined instead).
   *
   * @example
   * ```ts
   * const counter = await s.api(Counter).load(1n, { lock: 'update' }); // SELECT … FOR UPDATE OF t
   * counter.set('n', counter.get('n') + 1);
   * ```
   */
  load(id: KeyInput<E>, options?: LockOptions): Promise<Rop<E>> {
    // A bigint or text needs no normalizing to be looked up: a hit is the row (a miss takes the checked path).
    const hit = options === undefined && (typeof id === 'bigint' || typeof id === 'string') && this.meta.idIndex >= 0 ? this.#cachedHit(id) : undefined;
    if (hit) return Promise.resolve(hit); // the cached paths: no statement, no chained promise
    return this.find(id, options).then((row) => row ?? Promise.reject(new NotFoundError(this.meta.name, this.#id(id))));
  }

  /** The row from the transaction cache or the shared row cache, without a statement; never throws (the slow path reports errors). */
  #cachedHit(id: unknown): Rop<E> | undefined {
    try {
      return asRop<E>(this.unitOfWork.rows.cachedHit(this.meta, id));
    } catch {
      return undefined;
    }
  }

  /** Like {@link load}, but undefined when the row does not exist (or, with `skipLocked`, another transaction holds it). */
  find(id: KeyInput<E>, options?: LockOptions): Promise<Rop<E> | undefined> {
    try {
      const key = this.#id(id);
      const { rows } = this.unitOfWork;
      if (options) return rows.lockedByIds(this.meta, [key], options).then((locked) => asRop<E>(locked[0]));
      const cached = rows.identity(this.meta).get(key);
      if (cached !== undefined) {
        rows.countHits();
        return Promise.resolve(isLive(cached) ? asRop<E>(cached) : undefined);
      }
      return rows.byIds(this.meta, [key]).then((found) => asRop<E>(found[0]));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Many rows by id in one statement (`= ANY($1)`) for those not cached yet, in the order given.
   * Throws `NOT_FOUND` for the first id that does not exist; see {@link findMany} for a lenient form.
   *
   * With `{ lock }` every row is read and locked in one statement, in key order whatever the order
   * given (two sessions locking overlapping sets queue instead of deadlocking). With `skipLocked`
   * the rows other transactions hold are left out of the result instead of failing the call.
   */
  async loadMany(ids: readonly KeyInput<E>[], options?: LockOptions): Promise<Rop<E>[]> {
    const rows = await this.findMany(ids, options);
    if (options?.skipLocked) return rows.filter((r): r is Rop<E> => r !== undefined);
    const missing = rows.findIndex((r) => r === undefined);
    if (missing >= 0) throw new NotFoundError(this.meta.name, this.#id(ids[missing]));
    return rows as Rop<E>[];
  }

  /** Many rows by id in one statement, undefined where a row does not exist (or, with `skipLocked`, is held by another transaction). */
  async findMany(ids: readonly KeyInput<E>[], options?: LockOptions): Promise<(Rop<E> | undefined)[]> {
    const { rows: reader } = this.unitOfWork;
    // Every id is checked before anything is sent: a bad one fails the call, not the statement.
    const keys = ids.map((id) => this.#id(id));
    return asRopsOrUndefined<E>(await (options ? lockedRows(reader, this.meta, keys, options) : rowsByKeys(reader, this.meta, keys)));
  }

  /**
   * The children of `parent` in this entity's collection (DESIGN rule 1). The first call for a parent
   * reads the database once; later calls are served from the transaction cache with no statement,
   * and reflect this session's inserts, deletes and moves at once. Rows written by other transactions
   * after the first read are not seen: use {@link refreshByParent} for that. A parent inserted in
   * this session has no rows in the database, so no statement is sent for it.
   *
   * @example
   * ```ts
   * for (const line of await s.api(DocLine).byParent(doc)) total += Number(line.get('qty'));
   * ```
   */
  async byParent(parent: Rop): Promise<Rop<E>[]> {
    const { index, key } = this.#collection(parent);
    if (parent.isNew()) index.markLoaded(index.keyOf(key));
    return asRops<E>(await this.unitOfWork.collections.rowsByKey(index, key, false));
  }

  /**
   * The children of `parent` in this entity's collection, synchronously, when the session has loaded
   * that collection (`byParent`, `refreshByParent`, `batchIn`, or a parent inserted in the session):
   * the same rows `byParent` would return, with no statement and no promise — for walking documents
   * loaded with `batchIn`. Throws `USAGE` when the collection is not loaded (nothing is read).
   *
   * @example
   * ```ts
   * const docs = await s.query(Doc).where({ state: 'draft' }).batchIn(DocLine).all();
   * for (const doc of docs) for (const line of s.api(DocLine).childrenOf(doc)) total += Number(line.get('qty'));
   * ```
   */
  childrenOf(parent: Rop): Rop<E>[] {
    const { index, key } = this.#collection(parent, 'childrenOf');
    const indexKey = index.keyOf(key);
    if (parent.isNew()) index.markLoaded(indexKey);
    const live = index.liveIfLoaded(indexKey);
    if (!live) throw UsageError.collectionNotLoaded(this.meta.name, parent.entityName, parent.id);
    this.unitOfWork.rows.countHits();
    return asRops<E>(live);
  }

  /**
   * The children of `parent`, always read from the database (one statement) and merged with the
   * session (DESIGN rule 2): rows changed in this session keep their values, rows deleted in it stay
   * out, rows inserted in it are included, rows new in the database appear.
   */
  async refreshByParent(parent: Rop): Promise<Rop<E>[]> {
    const { index, key } = this.#collection(parent);
    return asRops<E>(await this.unitOfWork.collections.rowsByKey(index, key, true));
  }

  /** The transactional index declared under `name` in the entity's `indexes`. */
  index<N extends keyof IndexesOf<E> & string>(name: N): IsUniqueIndex<E, N> extends true ? UniqueTxIndex<E> : TxIndex<E> {
    const declared = this.meta.indexes.find((i) => i.name === name);
    if (!declared) throw UsageError.noIndex(this.meta.name, name, this.meta.indexes.map((i) => i.name));
    const index = new TxIndex<E>(this.meta, declared, () => this.unitOfWork);
    return (declared.unique ? new UniqueTxIndex(index) : index) as IsUniqueIndex<E, N> extends true ? UniqueTxIndex<E> : TxIndex<E>;
  }

  /** Reads a field of a rop (same as `rop.get(field)`). */
  get<K extends FieldOf<E>>(rop: Rop<E>, field: K): FieldValue<E, K> {
    return rop.get(field);
  }

  /** Changes a field of a rop (same as `rop.set(field, value)`). */
  set<K extends WritableField<E>>(rop: Rop<E>, field: K, value: FieldInput<E, K>): Rop<E> {
    return rop.set(field, value);
  }

  /**
   * Adds `delta` to a number field now, in one statement (`UPDATE … SET f = f + $delta … RETURNING
   * f`), and returns the new value: the counter pattern (next document number, stock on hand) without
   * a lock held until flush and without losing concurrent increments. A pending `increment` of the
   * field is folded in; an unflushed `set()` of it is a `USAGE` error (flush first). For a row
   * inserted in this session nothing is sent.
   *
   * @example
   * ```ts
   * const next = await s.api(District).incrementAndGet(district, 'dNextOId', 1); // the value after the increment
   * ```
   */
  async incrementAndGet<K extends WritableField<E>>(rop: Rop<E>, field: K, delta: FieldInput<E, K>): Promise<FieldValue<E, K>> {
    const row = rowOf(rop);
    if (row.meta !== this.meta) throw UsageError.wrongEntity('incrementAndGet', this.meta.name, row.meta.name);
    const column = this.meta.field(field);
    if (!column) throw ValidationError.unknownField(this.meta.name, field);
    return (await this.unitOfWork.changes.incrementNow(row, column.index, delta)) as FieldValue<E, K>;
  }

  /**
   * Deletes rows, and with them the children of every collection declared `onDelete: 'cascade'`. Marks
   * them at once, like `set()` (no statement): the rows and every child held in the session are
   * deleted now; children only in the database go at the next flush, children first — by their
   * parents' keys without being read when the session held none of them.
   */
  delete(rops: Rop<E> | readonly Rop<E>[]): void {
    const list = (Array.isArray(rops) ? (rops as readonly Rop<E>[]) : [rops as Rop<E>]).map(rowOf);
    const uow = this.unitOfWork;
    for (const row of list) {
      if (row.meta !== this.meta) throw UsageError.wrongEntity('delete', this.meta.name, row.meta.name);
      uow.changes.assertAttached(row);
    }
    const held = uow.collections.heldDescendants(list);
    uow.changes.markDeleted(list, true);
    uow.changes.markHeldDescendantsDeleted(held);
  }

  #collection(parent: Rop, call = 'byParent'): { index: CacheIndex; key: unknown[] } {
    return collectionOf(this.meta, this.unitOfWork, parent, call);
  }

  /** An id as the identity map keys it (`VALIDATION` for one the key cannot hold). */
  #id(id: unknown): unknown {
    return this.meta.key.normalize(id);
  }
}
