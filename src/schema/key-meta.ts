import { UsageError } from '../errors/usage-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { ColumnMeta } from './column-meta.js';
import { bigintKey, compositeKey, type MapKey, singleMapKey } from './keys.js';

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
  /**
   * Whether every key column holds primitives (numbers, bigints, text): then a composite map key is
   * the values joined by NUL (which no text value contains), with no type tags — one column's values
   * all have one type, and an int8 read as a number and as a bigint print alike.
   */
  readonly #primitive: boolean;
  /** 0, 1, … n-1: a tuple's positions, for {@link joinedKey}. */
  readonly #tuplePositions: readonly number[];
  /** The map key of a row's values (identity map, caches). */
  readonly mapKeyOfRow: (values: readonly unknown[]) => MapKey;
  /**
   * Per key column, the map key of one of its values: the value itself for kinds whose values are
   * primitives already (int, text, …), a safe int8 as a number, `singleMapKey` for the rest.
   */
  readonly partKeys: readonly ((value: unknown) => MapKey)[];

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
    this.#primitive = columns.every((c) => c.type.primitiveKey);
    this.mapKeyOfText = columns.length === 1 && first ? textReader(first.castType) : (text) => text;
    this.partKeys = columns.map((c) => (c.castType === 'int8' ? int8Key : c.type.primitiveKey ? asMapKey : singleMapKey));
    this.#tuplePositions = columns.map((_, i) => i);
    this.mapKeyOfRow =
      first === undefined
        ? () => {
            throw UsageError.keyless(entity, 'told apart');
          }
        : columns.length === 1
          ? (values) => singleMapKey(values[at])
          : this.#primitive
            ? (values) => joinedKey(values, positions)
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
    if (this.index >= 0) return singleMapKey(id);
    return this.#primitive ? joinedKey(id as readonly unknown[], this.#tuplePositions) : compositeKey(id as readonly unknown[]);
  }



  /** A row's key as invalidation messages name it: its map key as text (the same in every process). */
  readonly cacheKeyOfRow = (values: readonly unknown[]): string => String(this.mapKeyOfRow(values));

  /**
   * The map key a message's text names ({@link cacheKeyOfRow} inverted): a number (or bigint) for
   * the numeric kinds and timestamptz, a boolean for bool, the text itself otherwise (composite keys
   * included, whose map key is text).
   */
  readonly mapKeyOfText: (text: string) => MapKey;

  /** The key columns' values of an id, in key order. */
  valuesOf(id: unknown): readonly unknown[] {
    return this.index >= 0 ? [id] : (id as readonly unknown[]);
  }

  /**
   * An id as a caller gives it, checked by the key columns (`VALIDATION` otherwise) and canonical:
   * a value for a one-column key; a tuple in key order, or an object by field, for a composite one
   * (the caller's tuple itself when it is canonical already: never keep it, it is not a copy).
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
    // A tuple already canonical (the common case: keys read back or built by code) is returned as it
    // is: a `loadMany` of 100,000 tuples then allocates nothing to check them.
    let out: unknown[] | undefined;
    for (let i = 0; i < this.columns.length; i++) {
      const part = parts[i];
      const normalized = (this.columns[i] as ColumnMeta).normalize(part);
      if (out === undefined && normalized !== part) out = parts.slice(0, i);
      out?.push(normalized);
    }
    return out ?? parts;
  }
}

/** Primitive values at `positions`, joined by NUL. */
function joinedKey(values: readonly unknown[], positions: readonly number[]): string {
  let key = String(values[positions[0] as number]);
  for (let i = 1; i < positions.length; i++) key += `\u0000${String(values[positions[i] as number])}`;
  return key;
}

const asMapKey = (value: unknown): MapKey => value as MapKey;
const int8Key = (value: unknown): MapKey => (typeof value === 'bigint' ? bigintKey(value) : (value as number));

function textReader(castType: string): (text: string) => MapKey {
  switch (castType) {
    case 'int8':
      return (text) => (/^-?\d+$/.test(text) ? bigintKey(BigInt(text)) : text);
    case 'int4':
    case 'int2':
    case 'float4':
    case 'float8':
    case 'timestamptz':
      return Number;
    case 'bool':
      return (text) => text === 'true';
    default:
      return (text) => text;
  }
}
