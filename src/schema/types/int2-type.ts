import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { addNumbers, type ColumnType, plainText } from './column-type.js';
import { numberFromDriver, toSmallInt } from './integers.js';

/** `col.int2()`: `int2` (smallint), as `number` within ±32,767. */
export const int2Type = {
  kind: 'int2',
  options: [],
  primitiveKey: true,
  sqlType: () => 'int2',
  castType: () => 'int2',
  converter: (_spec, fail) => (v) => toSmallInt(v, 16, fail),
  arrayElement: plainText,
  fromDriver: numberFromDriver,
  ddlLiteral: plainText,
  add: addNumbers,
  factory: <const O extends ColumnOptions<number> = object>(options?: O): SpecOf<O, number> => makeSpec('int2', options),
} satisfies ColumnType & { factory: unknown };
