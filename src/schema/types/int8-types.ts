import { makeSpec, type AnyColumnSpec, type ColumnOptions, type ColumnSpec, type ReferenceTarget, type SpecOf } from '../column-spec.js';
import { addNumbers, type ColumnType, describe, type Fail, plainText } from './column-type.js';
import { bigintFromDriver, toInt8 } from './integers.js';

/** Accepted for int8 columns: a bigint, or a number that is a safe integer. */
export type BigintInput = bigint | number;

/** int8 as a JavaScript number: the value for `mode: 'number'`, refused past ±2^53. */
function toSafeNumber(v: unknown, fail: Fail): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : fail(`${v} is not a safe integer`);
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : fail(`${v} is outside ±2^53, which mode: 'number' cannot hold; use mode: 'bigint' (the default)`);
  }
  return fail(`expected a safe integer number or a bigint, got ${describe(v)}`);
}

const int8: Omit<ColumnType, 'kind' | 'options'> = {
  primitiveKey: true,
  sqlType: () => 'int8',
  castType: () => 'int8',
  converter: (spec, fail) => (spec.mode === 'number' ? (v) => toSafeNumber(v, fail) : (v) => toInt8(v, fail)),
  arrayElement: plainText,
  fromDriver: (v, spec) => (spec.mode === 'number' ? Number(bigintFromDriver(v)) : bigintFromDriver(v)),
  ddlLiteral: plainText,
};

/** int8 options: its name, and how the value is held. */
export interface Int8Options<T> extends ColumnOptions<T> {
  /** `'number'`: a JavaScript number (for ids that stay within ±2^53); default a bigint. */
  readonly mode?: 'number' | 'bigint';
}

type Int8Value<O> = O extends { mode: 'number' } ? number : bigint;

/** Options of `col.id`. */
export interface IdOptions {
  readonly name?: string;
  readonly mode?: 'number' | 'bigint';
  /** The sequence ids come from, when it is not `<table>_id_seq`; `increment` is what you expect it to step by (checked by `db.schema.verify()`, never trusted). */
  readonly sequence?: { readonly name?: string; readonly increment?: number };
}

/** `col.id()`: the `int8` primary key, allocated from the entity's sequence in pooled blocks. */
export const idType = {
  ...int8,
  kind: 'id',
  options: ['sequence', 'mode'],
  generated: 'id',
  optionProblems: (spec: AnyColumnSpec) => {
    const increment = spec.sequence?.increment;
    return increment !== undefined && !(Number.isSafeInteger(increment) && increment > 0) ? ['sequence.increment must be a whole number ≥ 1'] : [];
  },
  factory: <const O extends IdOptions = object>(options?: O): ColumnSpec<Int8Value<O>, true, 'key', Int8Value<O> | (O extends { mode: 'number' } ? bigint : number)> => makeSpec('id', options),
} satisfies ColumnType & { factory: unknown };

/** Options of `col.identity`. */
export interface IdentityOptions {
  readonly name?: string;
  readonly mode?: 'number' | 'bigint';
  /** `GENERATED ALWAYS AS IDENTITY` (cellar then inserts with `OVERRIDING SYSTEM VALUE`); default `BY DEFAULT`. */
  readonly always?: boolean;
}

/**
 * `col.identity()`: an `int8 GENERATED … AS IDENTITY` primary key. cellar takes its ids from the
 * column's own sequence (`pg_get_serial_sequence`) before the insert, as for `col.id()`.
 */
export const identityType = {
  ...int8,
  kind: 'identity',
  options: ['mode', 'always'],
  generated: 'id',
  sqlType: (spec: AnyColumnSpec) => `int8 GENERATED ${spec.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`,
  factory: <const O extends IdentityOptions = object>(options?: O): ColumnSpec<Int8Value<O>, true, 'key', Int8Value<O> | (O extends { mode: 'number' } ? bigint : number)> =>
    makeSpec('identity', options),
} satisfies ColumnType & { factory: unknown };

/** `col.ref(Entity)`: an `int8` foreign key to another entity's key. */
export const refType = {
  ...int8,
  kind: 'ref',
  options: ['references', 'mode'],
  optionProblems: (spec: AnyColumnSpec) => (spec.references === undefined ? ['col.ref needs the referenced entity'] : []),
  factory: <const O extends Int8Options<bigint> = object>(entity: ReferenceTarget | (() => ReferenceTarget), options?: O): SpecOf<O, Int8Value<O>, BigintInput> =>
    makeSpec('ref', options, { references: entity }),
} satisfies ColumnType & { factory: unknown };

/** `col.bigint()`: `int8`, as `bigint` in TypeScript (or `number` with `mode: 'number'`). */
export const bigintType = {
  ...int8,
  add: addNumbers,
  kind: 'bigint',
  options: ['mode'],
  factory: <const O extends Int8Options<bigint> = object>(options?: O): SpecOf<O, Int8Value<O>, BigintInput> => makeSpec('bigint', options),
} satisfies ColumnType & { factory: unknown };
