import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, describe, quoteElement, stringLiteral } from './column-type.js';

const OFFSET_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** `col.timestamptz()`: `timestamptz`, as a `Date` (a string needs an explicit offset). */
export const timestamptzType = {
  kind: 'timestamptz',
  options: [],
  primitiveKey: false,
  sqlType: () => 'timestamptz',
  castType: () => 'timestamptz',
  converter: (_spec, fail) => (v) => {
    const d = v instanceof Date ? v : typeof v === 'string' && OFFSET_TIMESTAMP.test(v) ? new Date(v) : undefined;
    if (d === undefined) return fail(`expected a Date or an ISO timestamp with an offset, got ${describe(v)}`);
    return Number.isNaN(d.getTime()) ? fail('is an invalid Date') : d;
  },
  arrayElement: (v) => quoteElement((v as Date).toISOString()),
  fromDriver: (v) => (v instanceof Date ? v : new Date(v as string)),
  ddlLiteral: (v) => `${stringLiteral((v as Date).toISOString())}::timestamptz`,
  factory: <const O extends ColumnOptions<Date> = object>(options?: O): SpecOf<O, Date> => makeSpec('timestamptz', options),
} satisfies ColumnType & { factory: unknown };
