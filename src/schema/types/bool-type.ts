import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, describe } from './column-type.js';

/** `col.bool()`: `bool`. */
export const boolType = {
  kind: 'bool',
  options: [],
  primitiveKey: true,
  sqlType: () => 'bool',
  castType: () => 'bool',
  converter: (_spec, fail) => (v) => (typeof v === 'boolean' ? v : fail(`expected a boolean, got ${describe(v)}`)),
  arrayElement: (v) => (v ? 't' : 'f'),
  fromDriver: (v) => v,
  ddlLiteral: (v) => (v ? 'true' : 'false'),
  factory: <const O extends ColumnOptions<boolean> = object>(options?: O): SpecOf<O, boolean> => makeSpec('bool', options),
} satisfies ColumnType & { factory: unknown };
