import type { EntityBase } from './entity.js';

/** The column kinds cellar knows; each maps to one PostgreSQL type (see docs/entities-and-types.md). */
export type ColumnKind =
  | 'id'
  | 'ref'
  | 'bigint'
  | 'int'
  | 'text'
  | 'decimal'
  | 'date'
  | 'timestamptz'
  | 'bool'
  | 'float8'
  | 'jsonb'
  | 'version';

/**
 * A column declaration produced by one of the `col.*` factories. It is plain data (checked by an ajv
 * schema when the entity is defined); `Value` and `Optional` only carry types for the compiler.
 */
export interface ColumnSpec<Value = unknown, Optional extends boolean = boolean, Generated extends boolean = false, Input = Value> {
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  /** Value given to rows inserted without this field (already normalized). */
  readonly default?: unknown;
  readonly maxLength?: number;
  readonly enum?: readonly string[];
  readonly precision?: number;
  readonly scale?: number;
  /** For `ref`: the referenced entity, or a function returning it (for self or forward references). */
  readonly references?: EntityBase | (() => EntityBase);
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
