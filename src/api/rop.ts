import { DetachedError } from '../errors/detached-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity, FieldInput, FieldOf, FieldValue, KeyOf, Row, WritableField } from '../schema/entity.js';
import type { ColumnMeta } from '../schema/entity-meta.js';
import { isLive, RowState, RowStatus } from '../session/row-state.js';

/**
 * A row object ("rop"): the handle of one row in the session's transaction cache. The same id in the
 * same session always gives the same rop. Reads are synchronous; `set` validates at once and the
 * change is written by the next flush. Rops are made by the session (`load`, `insert`, queries):
 * there is no constructor to call, and nothing of the row's state to write but through `set`.
 *
 * @example
 * ```ts
 * const doc = await s.api(Doc).load(42n);
 * doc.get('state');            // 'draft'
 * doc.set('state', 'approved');
 * await s.flush();             // UPDATE doc SET state = … FROM unnest(…)
 * ```
 */
export interface Rop<E extends AnyEntity = AnyEntity> {
  /** The primary key: `KeyOf<E>` (the key field's value; a frozen tuple in key order for a composite key). */
  readonly id: KeyOf<E>;
  /** The entity's name, for logs and errors. */
  readonly entityName: string;
  /** The value of a field. Throws `DETACHED` if the cache it came from was cleared. */
  get<K extends FieldOf<E>>(field: K): FieldValue<E, K>;
  /** Changes a field: validated now (`VALIDATION`, nothing changed on failure), written at the next flush. */
  set<K extends WritableField<E>>(field: K, value: FieldInput<E, K>): this;
  /**
   * Adds `delta` to a number field (int, int2, bigint, decimal — exactly —, float4, float8). The rop
   * reads the sum at once; the flush writes `SET f = f + delta` (batched with the other updates of
   * the same columns) and the rop then holds the database's value, so increments of concurrent
   * transactions add up instead of overwriting each other. `VALIDATION` for another kind, a null
   * field, or a sum the column cannot hold.
   */
  increment<K extends WritableField<E>>(field: K, delta: FieldInput<E, K>): this;
  /** False once the row is deleted in this session (or was never persisted and then deleted). */
  exists(): boolean;
  /** Whether the row was inserted in this session and not yet flushed. */
  isNew(): boolean;
  /** A plain copy of all fields. */
  toObject(): Row<E>;
}

/** The row of a rop, for the layers that keep rows (every rop is one). */
export function rowOf(rop: Rop): RowState {
  return rop as unknown as RowState;
}

/** The rops of rows the session made (every cached row is a rop). */
export function asRops<E extends AnyEntity>(rows: readonly RowState[]): Rop<E>[] {
  return rows as unknown as Rop<E>[];
}

/** The rops of rows the session made, undefined kept where there is no row. */
export function asRopsOrUndefined<E extends AnyEntity>(rows: readonly (RowState | undefined)[]): (Rop<E> | undefined)[] {
  return rows as unknown as (Rop<E> | undefined)[];
}

/** The rop of a row the session made, or undefined. */
export function asRop<E extends AnyEntity>(row: RowState | undefined): Rop<E> | undefined {
  return row as unknown as Rop<E> | undefined;
}

/**
 * The one class behind every rop: the session's row state with the methods of {@link Rop}, so that
 * each cached row is a single object. Internal: users see the interface.
 */
export class RopObject<E extends AnyEntity = AnyEntity> extends RowState implements Rop<E> {
  /** The primary key (see {@link Rop.id}). */
  override get id(): KeyOf<E> {
    return super.id as KeyOf<E>;
  }

  /** The entity's name, for logs and errors. */
  get entityName(): string {
    return this.meta.name;
  }

  /** The value of a field. Throws `DETACHED` if the cache it came from was cleared. */
  get<K extends FieldOf<E>>(field: K): FieldValue<E, K> {
    assertReadable(this);
    return this.values[columnOf(this, field).index] as FieldValue<E, K>;
  }

  /** Changes a field: validated now (`VALIDATION`, nothing changed on failure), written at the next flush. */
  set<K extends WritableField<E>>(field: K, value: FieldInput<E, K>): this {
    this.owner.setValue(this, columnOf(this, field).index, value);
    return this;
  }

  /** Adds `delta` to a number field, written `SET f = f + delta` at the next flush (see {@link Rop.increment}). */
  increment<K extends WritableField<E>>(field: K, delta: FieldInput<E, K>): this {
    this.owner.incrementValue(this, columnOf(this, field).index, delta);
    return this;
  }

  /** False once the row is deleted in this session (or was never persisted and then deleted). */
  exists(): boolean {
    assertReadable(this);
    return isLive(this);
  }

  /** Whether the row was inserted in this session and not yet flushed. */
  isNew(): boolean {
    assertReadable(this);
    return this.status === RowStatus.New;
  }

  /** A plain copy of all fields. */
  toObject(): Row<E> {
    assertReadable(this);
    const out: Record<string, unknown> = {};
    for (const c of this.meta.columns) out[c.field] = this.values[c.index];
    return out as Row<E>;
  }
}

// Module functions, not private methods: a class with private methods stores a brand on every
// instance, one more slot in each of the (often hundreds of thousands of) rops a session holds.
function columnOf(rop: RopObject, field: string): ColumnMeta {
  const column = rop.meta.field(field);
  if (!column) throw ValidationError.unknownField(rop.meta.name, field);
  return column;
}

function assertReadable(rop: RopObject): void {
  rop.owner.assertUsable();
  if (!rop.attached) throw new DetachedError(rop.meta.name, rop.id);
}
