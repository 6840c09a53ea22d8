import { makeSpec, type ColumnOptions, type ColumnSpec, type SpecOf } from '../column-spec.js';
import { addNumbers, type ColumnType, plainText } from './column-type.js';
import { numberFromDriver, toSmallInt } from './integers.js';

/** `col.int()`: `int4`, as `number`. */
export const intType = {
  kind: 'int',
  options: [],
  primitiveKey: true,
  sqlType: () => 'int4',
  castType: () => 'int4',
  converter: (_spec, fail) => (v) => toSmallInt(v, 32, fail),
  arrayElement: plainText,
  fromDriver: numberFromDriver,
  ddlLiteral: plainText,
  add: addNumbers,
  factory: <const O extends ColumnOptions<number> = object>(options?: O): SpecOf<O, number> => makeSpec('int', options),
} satisfies ColumnType & { factory: unknown };

/** `col.version()`: the `int4` optimistic-lock version, starting at 1, checked and incremented by every flush write. */
export const versionType = {
  ...intType,
  kind: 'version',
  generated: 'version',
  ddlLiteral: plainText,
  factory: (options?: { readonly name?: string }): ColumnSpec<number, true, true, number> => makeSpec('version', options),
} satisfies ColumnType & { factory: unknown };
