import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { addNumbers, type ColumnType, describe, plainText } from './column-type.js';
import { numberFromDriver } from './integers.js';

/** `col.float8()`: `float8` (double precision), as a finite `number`. */
export const float8Type = {
  kind: 'float8',
  options: [],
  primitiveKey: true,
  sqlType: () => 'float8',
  castType: () => 'float8',
  converter: (_spec, fail) => (v) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(`expected a finite number, got ${describe(v)}`)),
  arrayElement: plainText,
  fromDriver: numberFromDriver,
  ddlLiteral: plainText,
  add: addNumbers,
  factory: <const O extends ColumnOptions<number> = object>(options?: O): SpecOf<O, number> => makeSpec('float8', options),
} satisfies ColumnType & { factory: unknown };

const FLOAT4_MAX = 3.4028234663852886e38;

/**
 * The value a float4 column gives back for `v`: the nearest single-precision number, written with
 * the fewest digits that still mean it — what PostgreSQL prints (0.1 stays 0.1, 1/3 becomes 0.33333334).
 */
function asFloat4(v: number): number {
  const single = Math.fround(v);
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(single.toPrecision(digits));
    if (Math.fround(shortest) === single) return shortest;
  }
  return single;
}

/** `col.float4()`: `float4` (real), as a `number` rounded to single precision as the database stores it. */
export const float4Type = {
  kind: 'float4',
  options: [],
  primitiveKey: true,
  sqlType: () => 'float4',
  castType: () => 'float4',
  converter: (_spec, fail) => (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`expected a finite number, got ${describe(v)}`);
    return Math.abs(v) > FLOAT4_MAX ? fail(`${v} is out of the float4 range`) : asFloat4(v);
  },
  arrayElement: plainText,
  fromDriver: numberFromDriver,
  ddlLiteral: plainText,
  add: addNumbers,
  factory: <const O extends ColumnOptions<number> = object>(options?: O): SpecOf<O, number> => makeSpec('float4', options),
} satisfies ColumnType & { factory: unknown };
