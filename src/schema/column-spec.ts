/**
 * What a `col.ref` points at: an entity (`defineEntity`'s result). Structural, so that column specs
 * need nothing from the entity modules.
 */
export interface ReferenceTarget {
  readonly name: string;
  readonly meta: unknown;
}

/**
 * A column declaration produced by one of the `col.*` factories. It is plain data (checked by an ajv
 * schema when the entity is defined); `Value`, `Optional`, `Generated` and `Input` only carry types
 * for the compiler. Which options a kind takes is its column type's business (`src/schema/types`).
 */
export interface ColumnSpec<Value = unknown, Optional extends boolean = boolean, Generated extends boolean = false, Input = Value> {
  /** The column kind: a key of the column type registry (`ColumnKind`). */
  readonly kind: string;
  /** The column's name in the database, when it is not the field's snake_case (quoted as written). */
  readonly name?: string;
  readonly nullable: boolean;
  /** Value given to rows inserted without this field. */
  readonly default?: unknown;
  /** `col.text`: the longest value, in characters (the column becomes `varchar(n)`). */
  readonly maxLength?: number;
  /** `col.char` / `col.varchar`: the declared length. */
  readonly length?: number;
  readonly enum?: readonly string[];
  readonly precision?: number;
  readonly scale?: number;
  /** For `ref`: the referenced entity, or a function returning it (for self or forward references). */
  readonly references?: ReferenceTarget | (() => ReferenceTarget);
  /** Phantom field: the TypeScript type of the value. Never set at run time. */
  readonly __value?: Value;
  /** Phantom field: whether `insert` may omit the field. Never set at run time. */
  readonly __optional?: Optional;
  /** Phantom field: the value is generated (id, version) and never given to `insert`. */
  readonly __generated?: Generated;
  /** Phantom field: what `insert` and `set` accept (wider than `Value` for bigint and decimal). */
  readonly __input?: Input;
}

/** Any column spec. */
export type AnyColumnSpec = ColumnSpec<unknown, boolean, boolean, unknown>;

/** The TypeScript value type of a column spec. */
export type ValueOf<C> = C extends ColumnSpec<infer V, boolean, boolean, unknown> ? V : never;

/** What `insert` and `set` accept for a column. */
export type InputOf<C> = C extends ColumnSpec<unknown, boolean, boolean, infer I> ? I : never;

/** Whether `insert` may omit the column. */
export type IsOptional<C> = C extends ColumnSpec<unknown, infer O, boolean, unknown> ? O : never;

/** Whether the column is generated (id, version). */
export type IsGenerated<C> = C extends ColumnSpec<unknown, boolean, infer G, unknown> ? G : never;

/** Options every column accepts. */
export interface ColumnOptions<T> {
  /** The column's name in the database, exactly (default: the field's snake_case, `hCDId` → `h_cd_id`). */
  readonly name?: string;
  /** Allow NULL (the value type gains `| null`). Default false. */
  readonly nullable?: boolean;
  /** Value for rows inserted without this field; also the column's SQL DEFAULT. */
  readonly default?: T;
}

type Nullable<O, T> = O extends { nullable: true } ? T | null : T;
type Optional<O> = O extends { nullable: true } ? true : O extends { default: unknown } ? true : false;

/** The spec type a factory returns for options `O`, value `T` and input `I`. */
export type SpecOf<O, T, I = T> = ColumnSpec<Nullable<O, T>, Optional<O>, false, Nullable<O, I>>;

/** Builds the frozen spec of a factory; the factory's declared return type gives `R`. */
export function makeSpec<R extends AnyColumnSpec>(kind: string, options: object | undefined, extra: object = {}): R {
  const { nullable = false, ...rest } = (options ?? {}) as { nullable?: boolean };
  return Object.freeze({ kind, nullable, ...rest, ...extra }) as R;
}
