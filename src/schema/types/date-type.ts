import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, describe, type Fail, plainText, stringLiteral } from './column-type.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether y-m-d is a day of the Gregorian calendar. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year >= 1 && days !== undefined && day >= 1 && day <= days;
}

function toDate(v: unknown, fail: Fail): string {
  if (v instanceof Date) return fail("dates are 'YYYY-MM-DD' strings, so no time zone can shift them; format the Date first");
  if (typeof v !== 'string') return fail(`expected a 'YYYY-MM-DD' string, got ${describe(v)}`);
  const m = ISO_DATE.exec(v);
  if (!m) return fail(`"${v.slice(0, 40)}" is not a 'YYYY-MM-DD' date`);
  return isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) ? v : fail(`"${v}" is not a calendar date`);
}

/** `col.date()`: `date`, as a `'YYYY-MM-DD'` string: no time zone can shift it. */
export const dateType = {
  kind: 'date',
  options: [],
  primitiveKey: true,
  sqlType: () => 'date',
  castType: () => 'date',
  converter: (_spec, fail) => (v) => toDate(v, fail),
  arrayElement: plainText, // digits and '-': safe unquoted
  fromDriver: (v) => (typeof v === 'string' ? v : String(v)),
  ddlLiteral: (v) => stringLiteral(v as string),
  factory: <const O extends ColumnOptions<string> = object>(options?: O): SpecOf<O, string> => makeSpec('date', options),
} satisfies ColumnType & { factory: unknown };
