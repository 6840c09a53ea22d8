import { makeSpec, type AnyColumnSpec, type ColumnOptions, type ColumnSpec, type ReferenceTarget, type SpecOf } from '../column-spec.js';
import { type ColumnType, plainText } from './column-type.js';
import { bigintFromDriver, toInt8 } from './integers.js';

/** Accepted for int8 columns: a bigint, or a number that is a safe integer. */
export type BigintInput = bigint | number;

const int8: Omit<ColumnType, 'kind' | 'options'> = {
  primitiveKey: true,
  sqlType: () => 'int8',
  castType: () => 'int8',
  converter: (_spec, fail) => (v) => toInt8(v, fail),
  arrayElement: plainText,
  fromDriver: bigintFromDriver,
  ddlLiteral: plainText,
};

/** `col.id()`: the `int8` primary key, allocated from the entity's sequence in pooled blocks. */
export const idType = {
  ...int8,
  kind: 'id',
  options: [],
  generated: 'id',
  factory: (options?: { readonly name?: string }): ColumnSpec<bigint, true, true, bigint> => makeSpec('id', options),
} satisfies ColumnType & { factory: unknown };

/** `col.ref(Entity)`: an `int8` foreign key to another entity's id. */
export const refType = {
  ...int8,
  kind: 'ref',
  options: ['references'],
  optionProblems: (spec: AnyColumnSpec) => (spec.references === undefined ? ['col.ref needs the referenced entity'] : []),
  factory: <const O extends ColumnOptions<bigint> = object>(entity: ReferenceTarget | (() => ReferenceTarget), options?: O): SpecOf<O, bigint, BigintInput> =>
    makeSpec('ref', options, { references: entity }),
} satisfies ColumnType & { factory: unknown };

/** `col.bigint()`: `int8`, as `bigint` in TypeScript. */
export const bigintType = {
  ...int8,
  kind: 'bigint',
  options: [],
  factory: <const O extends ColumnOptions<bigint> = object>(options?: O): SpecOf<O, bigint, BigintInput> => makeSpec('bigint', options),
} satisfies ColumnType & { factory: unknown };
