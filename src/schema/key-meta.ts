import { UsageError } from '../errors/usage-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { ColumnMeta } from './column-meta.js';
import { compositeKey, type MapKey, singleMapKey } from './keys.js';

/** Where new keys come from. */
export type KeySource = 'sequence' | 'identity' | 'assigned';

/**
 * The primary key of an entity, of any shape: one column or several, generated from a sequence or an
 * identity column, or given by the application. Everything that tells rows apart (the identity map,
 * collections, flush batching, cascades, bulk jobs) goes through these functions, so a composite or
 * natural key behaves as a sequence id does.
 *
 * An id is what `rop.id` gives and `load` takes: the key column's value for a one-column key, a
 * frozen tuple in key order for a composite one (`load` also takes an object by field).
 */
export class KeyMeta {
  readonly columns: readonly ColumnMeta[];
  readonly source: KeySource;
  /** The column cellar generates values for (`col.id()`, `col.identity()`), if any. */
  readonly generated: ColumnMeta | undefined;
  /** The row position of a one-column key, or -1. */
  readonly index: number;
  /** The map key of a row's values (identity map, caches). */
  readonly mapKeyOfRow: (values: readonly unknown[]) => MapKey;

  constructor(
    private readonly entity: string,
    columns: readonly ColumnMeta[],
  ) {
    this.columns = columns;
    const first = columns[0];
    this.generated = columns.length === 1 && first?.type.generated === 'id' ? first : undefined;
    this.source = this.generated === undefined ? 'assigned' : this.generated.spec.kind === 'identity' ? 'identity' : 'sequence';
    this.index = columns.length === 1 && first ? first.index : -1;
    const positions = columns.map((c) => c.index);
    const at = this.index;
    this.mapKeyOfRow =
      first === undefined
        ? () => {
            throw UsageError.keyless(entity, 'told apart');
          }
        : columns.length === 1
          ? (values) => singleMapKey(values[at])
          : (values) => compositeKey(positions.map((i) => values[i]));
  }

  /**
   * No key (`primaryKey: []`): an insert-only entity such as a log or TPC-C's HISTORY. Its rows are
   * written by inserts and never read back into a session, changed or deleted through it.
   */
  get keyless(): boolean {
    return this.columns.length === 0;
  }

  /** Whether a column (by row position) is one of the key's. */
  covers(columnIndex: number): boolean {
    return this.index >= 0 ? this.index === columnIndex : this.columns.some((c) => c.index === columnIndex);
  }

  /** Whether the key has several columns. */
  get composite(): boolean {
    return this.columns.length > 1;
  }

  /** The id of a row's values: the value, or a frozen tuple. */
  idOfRow(values: readonly unknown[]): unknown {
    return this.index >= 0 ? values[this.index] : Object.freeze(this.columns.map((c) => values[c.index]));
  }

  /**
   * The id in a result row whose first columns are the key columns (as `existingIds` and the
   * stale-row answers of updates and deletes return them), held as the key fields hold values.
   */
  idOfResult(values: readonly unknown[]): unknown {
    const parts = this.columns.map((c, i) => (c.spec.mode === 'number' && typeof values[i] === 'bigint' ? Number(values[i]) : values[i]));
    return this.index >= 0 ? parts[0] : Object.freeze(parts);
  }

  /** The map key of an id (as {@link idOfRow} gives or {@link normalize} returns). */
  mapKeyOf(id: unknown): MapKey {
    return this.index >= 0 ? singleMapKey(id) : compositeKey(id as readonly unknown[]);
  }

  /** The shared row cache's key of a row's values: its map key as text (the same in every process). */
  readonly cacheKeyOfRow = (values: readonly unknown[]): string => String(this.mapKeyOfRow(values));

  /** The shared row cache's key of an id. */
  cacheKeyOf(id: unknown): string {
    return String(this.mapKeyOf(id));
  }

  /** The key columns' values of an id, in key order. */
  valuesOf(id: unknown): readonly unknown[] {
    return this.index >= 0 ? [id] : (id as readonly unknown[]);
  }

  /**
   * An id as a caller gives it, checked by the key columns (`VALIDATION` otherwise) and canonical:
   * a value for a one-column key; a tuple in key order, or an object by field, for a composite one.
   */
  normalize(input: unknown): unknown {
    if (this.keyless) throw UsageError.keyless(this.entity, 'loaded by key');
    if (this.index >= 0) return (this.columns[0] as ColumnMeta).normalize(input);
    const fields = this.columns.map((c) => c.field);
    let parts: readonly unknown[];
    if (Array.isArray(input)) parts = input;
    else if (typeof input === 'object' && input !== null) parts = fields.map((f) => (input as Record<string, unknown>)[f]);
    else throw new ValidationError(`${this.entity} has a key of ${fields.length} fields (${fields.join(', ')}): give a tuple [${fields.join(', ')}] or an object { ${fields.join(', ')} }`, this.entity);
    if (parts.length !== fields.length) throw new ValidationError(`${this.entity} has a key of ${fields.length} fields (${fields.join(', ')}), not ${parts.length}`, this.entity);
    return Object.freeze(this.columns.map((c, i) => c.normalize(parts[i])));
  }
}
