import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity } from '../schema/entity.js';
import type { ColumnMeta, EntityMeta, IndexMeta } from '../schema/entity-meta.js';
import type { CacheIndex } from '../session/cache-index.js';
import type { RowScope } from '../session/row-state.js';
import type { UnitOfWork } from '../session/unit-of-work.js';
import type { LockOptions } from '../session/row-lock.js';
import { asRops, type Rop } from './rop.js';

/** One value of an index key. */
export type IndexKeyPart = bigint | number | string | boolean | Date;

/** A key of a transactional index: the value of a one-field index, or a tuple for a composite one. */
export type IndexKeyInput = IndexKeyPart | readonly IndexKeyPart[];

/**
 * A transactional secondary index (the original platform's tx index): rows of an entity by the
 * value of the declared fields, cached per key for the session (DESIGN rules 1–3).
 *
 * @example
 * ```ts
 * const byItem = s.api(DocLine).index('byItem');
 * await byItem.queryKeys([7n, 8n, 9n]);     // one statement for all three keys
 * const lines = await byItem.byKey(8n);      // no statement, even if key 8 has no rows
 * ```
 */
export class TxIndex<E extends AnyEntity> {
  readonly #unitOfWork: () => UnitOfWork;
  /** The cache index last used, valid while the same session's cache is not cleared (same scope). */
  #last: { scope: RowScope; index: CacheIndex } | undefined;

  /** @internal Get indexes with `api.index(name)`. */
  constructor(
    /** The entity indexed. */
    readonly meta: EntityMeta,
    /** The declaration: name and fields. */
    readonly declaration: IndexMeta,
    unitOfWork: () => UnitOfWork,
  ) {
    this.#unitOfWork = unitOfWork;
  }

  /**
   * Rows with this key: read once per key, then served from the cache and kept in step with the
   * session. With `{ lock }` they are always read and locked in key order (see `EntityApi.load`).
   */
  byKey(key: IndexKeyInput, options?: LockOptions): Promise<Rop<E>[]> {
    try {
      const index = this.#index();
      const values = this.#normalize(key);
      if (options) return this.#unitOfWork().collections.rowsByKey(index, values, true, options) as unknown as Promise<Rop<E>[]>;
      // The cached path (the common one once keys are loaded) answers without an async frame.
      const cached = index.liveIfLoaded(index.keyOf(values));
      if (cached) {
        this.#unitOfWork().rows.countHits();
        return Promise.resolve(asRops<E>(cached));
      }
      return this.#unitOfWork().collections.rowsByKey(index, values, false) as unknown as Promise<Rop<E>[]>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Rows with this key, always read (one statement) and merged with the session's changes. */
  async refreshByKey(key: IndexKeyInput): Promise<Rop<E>[]> {
    return asRops<E>(await this.#unitOfWork().collections.rowsByKey(this.#index(), this.#normalize(key), true));
  }

  /**
   * Loads every key not loaded yet in one statement (one array parameter per key field); afterwards
   * `byKey` on any of them, keys with no rows included, issues no statement.
   */
  async queryKeys(keys: Iterable<IndexKeyInput>): Promise<void> {
    const normalized = [...keys].map((k) => this.#normalize(k));
    await this.#unitOfWork().collections.loadKeys(this.#index(), normalized);
  }

  #index(): CacheIndex {
    const uow = this.#unitOfWork();
    uow.tx.assertUsable();
    const last = this.#last;
    if (last && last.scope === uow.changes.scope) return last.index;
    const index = uow.rows.index(this.meta, this.declaration.columnIndexes);
    this.#last = { scope: uow.changes.scope, index };
    return index;
  }

  #normalize(key: IndexKeyInput): unknown[] {
    const { declaration } = this;
    if (declaration.fields.length === 1 && key !== null && key !== undefined && !Array.isArray(key)) {
      return [(this.meta.columns[declaration.columnIndexes[0] as number] as ColumnMeta).normalize(key)];
    }
    const parts = declaration.fields.length === 1 ? [key] : Array.isArray(key) ? (key as unknown[]) : undefined;
    if (!parts || parts.length !== declaration.fields.length) {
      throw new ValidationError(`index ${declaration.name} takes a key of ${declaration.fields.length} values [${declaration.fields.join(', ')}]`);
    }
    const { meta } = this;
    return parts.map((value, i) => {
      const column = meta.columns[declaration.columnIndexes[i] as number] as ColumnMeta;
      if (value === null || value === undefined) throw ValidationError.badValue(meta.name, column.field, 'index keys cannot be null; query nulls with session.query()');
      return column.normalize(value);
    });
  }
}
