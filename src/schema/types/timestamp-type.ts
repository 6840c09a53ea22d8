import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, describe, type Fail, quoteElement, stringLiteral } from './column-type.js';
import { isCalendarDate } from './date-type.js';

const LOCAL_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` exactly as PostgreSQL prints a timestamp (fraction without trailing zeros). */
function toTimestamp(v: unknown, fail: Fail): string {
  if (v instanceof Date) return fail("timestamp without time zone holds no zone: give it as a 'YYYY-MM-DD HH:MM:SS' string (a Date would be shifted by one)");
  if (typeof v !== 'string') return fail(`expected a 'YYYY-MM-DD HH:MM:SS' string, got ${describe(v)}`);
  const m = LOCAL_TIMESTAMP.exec(v);
  if (!m) return fail(`"${v.slice(0, 40)}" is not a 'YYYY-MM-DD HH:MM:SS[.ffffff]' timestamp (no zone)`);
  const [, y, mo, d, h, mi, s = '00', f = ''] = m as unknown as string[];
  if (!isCalendarDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return fail(`"${v}" is not a valid timestamp`);
  const fraction = f.replace(/0+$/, '');
  return `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction ? `.${fraction}` : ''}`;
}

const identity = (text: string): string => text;

/**
 * `col.timestamp()`: `timestamp` without time zone, as the string PostgreSQL prints
 * (`'2026-12-01 10:30:00.5'`): never turned into a `Date`, so no time zone can shift it.
 */
export const timestampType = {
  kind: 'timestamp',
  options: [],
  primitiveKey: true,
  sqlType: () => 'timestamp',
  castType: () => 'timestamp',
  converter: (_spec, fail) => (v) => toTimestamp(v, fail),
  arrayElement: (v) => quoteElement(v as string),
  fromDriver: (v) => (typeof v === 'string' ? v : String(v)),
  ddlLiteral: (v) => `${stringLiteral(v as string)}::timestamp`,
  // node-postgres turns timestamp text into a Date in the process's zone: keep the text (and in arrays).
  parsers: { 1114: identity, 1115: 'array-of-1114' },
  factory: <const O extends ColumnOptions<string> = object>(options?: O): SpecOf<O, string> => makeSpec('timestamp', options),
} satisfies ColumnType & { factory: unknown };
