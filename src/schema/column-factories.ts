import type { AnyColumnSpec, ColumnSpec } from './column-spec.js';
import type { EntityBase } from './entity.js';

/** Options every column accepts. */
export interface ColumnOptions<T> {
  /** Allow NULL (the value type gains `| null`). Default false. */
  readonly nullable?: boolean;
  /** Value for rows inserted without this field; also the column's SQL DEFAULT. */
  readonly default?: T;
}

type Nullable<O, T> = O extends { nullable: true } ? T | null : T;
type Optional<O> = O extends { nullable: true } ? true : O extends { default: unknown } ? true : false;
type Spec<O, T, I = T> = ColumnSpec<Nullable<O, T>, Optional<O>, false, Nullable<O, I>>;

/** Accepted for int8 columns: a bigint, or a number that is a safe integer. */
export type BigintInput = bigint | number;

/** Accepted for numeric columns: a decimal string, a bigint, a finite number, or a decimal object (Big, Decimal…). */
export type DecimalInput = string | bigint | number | { toString(): string };

/** Options of `col.text`. */
export interface TextOptions<E extends string = string> extends ColumnOptions<E> {
  /** Maximum length in characters; the column becomes `varchar(n)`. */
  readonly maxLength?: number;
  /** Allowed values; the column gets a CHECK constraint and the value type becomes their union. */
  readonly enum?: readonly E[];
}

/** Options of `col.decimal`. */
export interface DecimalOptions extends ColumnOptions<string> {
  /** Total significant digits, 1–1000. Without it the column is unconstrained `numeric`. */
  readonly precision?: number;
  /** Digits after the point, 0–precision. Default 0 when precision is given. */
  readonly scale?: number;
}

/** Builds the frozen spec; the declared return type of each factory gives `R`. */
function spec<R extends ColumnSpec<unknown, boolean, false, unknown>>(kind: ColumnSpec['kind'], options: ColumnOptions<unknown> | undefined, extra: object = {}): R {
  const { nullable = false, ...rest } = options ?? {};
  return Object.freeze({ kind, nullable, ...rest, ...extra }) as R;
}

/**
 * `jsonb` column. Overloads instead of an inferred options type, because callers give `T` explicitly
 * and TypeScript cannot then infer the options' literal type.
 */
function jsonb<T = unknown>(options: { readonly nullable: true; readonly default?: T | null }): ColumnSpec<T | null, true, false, T | null>;
function jsonb<T = unknown>(options: { readonly nullable?: false; readonly default: T }): ColumnSpec<T, true, false, T>;
function jsonb<T = unknown>(options?: { readonly nullable?: false }): ColumnSpec<T, false, false, T>;
function jsonb(options?: ColumnOptions<unknown>): AnyColumnSpec {
  return spec('jsonb', options);
}

/**
 * Column factories for {@link defineEntity}.
 *
 * @example
 * ```ts
 * columns: {
 *   id: col.id(),
 *   docNumber: col.text({ maxLength: 40 }),
 *   state: col.text({ enum: ['draft', 'approved'], default: 'draft' }),
 *   total: col.decimal({ precision: 18, scale: 2, nullable: true }),
 * }
 * ```
 */
export const col = {
  /** `int8` primary key, allocated from the entity's sequence in pooled blocks. One per entity. */
  id: (): ColumnSpec<bigint, true, true, bigint> => Object.freeze({ kind: 'id', nullable: false }),
  /** `int8` foreign key to another entity's id. Pass a function for self or forward references. */
  ref: <const O extends ColumnOptions<bigint> = object>(entity: EntityBase | (() => EntityBase), options?: O): Spec<O, bigint, BigintInput> =>
    spec('ref', options, { references: entity }),
  /** `int8`, as `bigint` in TypeScript. */
  bigint: <const O extends ColumnOptions<bigint> = object>(options?: O): Spec<O, bigint, BigintInput> => spec('bigint', options),
  /** `int4`, as `number`. */
  int: <const O extends ColumnOptions<number> = object>(options?: O): Spec<O, number> => spec('int', options),
  /** `text`, or `varchar(n)` with `maxLength`; `enum` narrows the type to a union of literals. */
  text: <const O extends TextOptions = object>(options?: O): Spec<O, O extends { enum: readonly (infer E)[] } ? E : string> =>
    spec('text', options),
  /** `numeric(p,s)`, as a string exactly as PostgreSQL prints it (scale kept). */
  decimal: <const O extends DecimalOptions = object>(options?: O): Spec<O, string, DecimalInput> => spec('decimal', options),
  /** `date`, as a `'YYYY-MM-DD'` string: no time zone can shift it. */
  date: <const O extends ColumnOptions<string> = object>(options?: O): Spec<O, string> => spec('date', options),
  /** `timestamptz`, as a `Date`. */
  timestamptz: <const O extends ColumnOptions<Date> = object>(options?: O): Spec<O, Date> => spec('timestamptz', options),
  /** `bool`. */
  bool: <const O extends ColumnOptions<boolean> = object>(options?: O): Spec<O, boolean> => spec('bool', options),
  /** `float8`, as a finite `number`. */
  float8: <const O extends ColumnOptions<number> = object>(options?: O): Spec<O, number> => spec('float8', options),
  /** `jsonb`; `T` is the shape you promise to store (not checked beyond JSON-serializability). */
  jsonb,
  /** `int4` optimistic-lock version, starting at 1, checked and incremented by every flush write. */
  version: (): ColumnSpec<number, true, true, number> => Object.freeze({ kind: 'version', nullable: false }),
};
