import { ValidationError } from '../errors/validation-error.js';
import type { AnyColumnSpec } from './column-spec.js';
import { normalizeDecimal } from './decimal-text.js';

/** Turns a user value into the canonical value cellar stores, or throws `ValidationError`. */
export type Normalizer = (value: unknown) => unknown;

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const OFFSET_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * Builds the normalizer of one column. Every value that reaches the database passed through one,
 * so the flush never meets a value PostgreSQL would coerce or reject.
 */
export function createNormalizer(entity: string, field: string, spec: AnyColumnSpec): Normalizer {
  const fail = (problem: string): never => {
    throw ValidationError.badValue(entity, field, problem);
  };
  const convert = converterFor(spec, fail);
  const nullable = spec.nullable;
  return (value) => {
    if (value === null) return nullable ? null : fail('is not nullable; give it a value');
    if (value === undefined) return fail('undefined is not a value; use null for an empty nullable field');
    return convert(value);
  };
}

function converterFor(spec: AnyColumnSpec, fail: (problem: string) => never): Normalizer {
  switch (spec.kind) {
    case 'id':
    case 'ref':
    case 'bigint':
      return (v) => toInt8(v, fail);
    case 'int':
    case 'version':
      return (v) => toInt4(v, fail);
    case 'text':
      return textConverter(spec, fail);
    case 'decimal': {
      // Values already in PostgreSQL's canonical form (the common case in batch jobs) skip the parser.
      const canonical = canonicalDecimalPattern(spec);
      return (v) => (typeof v === 'string' && canonical?.test(v) ? v : toDecimal(v, spec, fail));
    }
    case 'date':
      return (v) => toDate(v, fail);
    case 'timestamptz':
      return (v) => toTimestamp(v, fail);
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : fail(`expected a boolean, got ${describe(v)}`));
    case 'float8':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(`expected a finite number, got ${describe(v)}`));
    case 'jsonb':
      return (v) => toJson(v, fail);
  }
}

function toInt8(v: unknown, fail: (p: string) => never): bigint {
  if (typeof v === 'bigint') return v >= INT8_MIN && v <= INT8_MAX ? v : fail(`${v} is out of the int8 range`);
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) ? BigInt(v) : fail(`${v} is not a safe integer; pass a bigint (e.g. ${Number.isFinite(v) ? 'BigInt(\'…\')' : '1n'})`);
  }
  return fail(`expected a bigint or a safe integer number, got ${describe(v)}`);
}

function toInt4(v: unknown, fail: (p: string) => never): number {
  const n = typeof v === 'bigint' && v >= BigInt(INT4_MIN) && v <= BigInt(INT4_MAX) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) return fail(`expected an integer, got ${describe(v)}`);
  return n >= INT4_MIN && n <= INT4_MAX ? n : fail(`${n} is out of the int4 range`);
}

function textConverter(spec: AnyColumnSpec, fail: (p: string) => never): Normalizer {
  const { maxLength } = spec;
  const allowed = spec.enum && new Set(spec.enum);
  return (v) => {
    if (typeof v !== 'string') return fail(`expected a string, got ${describe(v)}`);
    if (v.includes('\u0000')) return fail('contains a NUL character (\\u0000), which PostgreSQL text cannot store');
    // length counts UTF-16 units; only when it exceeds the limit do we count code points as PostgreSQL does.
    if (maxLength !== undefined && v.length > maxLength && [...v].length > maxLength) {
      return fail(`is ${[...v].length} characters long; at most ${maxLength} are allowed`);
    }
    if (allowed && !allowed.has(v)) return fail(`"${v.slice(0, 60)}" is not one of ${[...allowed].map((e) => `"${e}"`).join(', ')}`);
    return v;
  };
}

/** Matches text exactly as PostgreSQL prints numeric(p,s): no sign on zero, no leading zeros, s decimals. */
function canonicalDecimalPattern(spec: AnyColumnSpec): RegExp | undefined {
  if (spec.precision === undefined) return undefined;
  const scale = spec.scale ?? 0;
  const intDigits = spec.precision - scale;
  const fraction = scale > 0 ? `\\.\\d{${scale}}` : '';
  const nonZero = intDigits > 0 ? `-?[1-9]\\d{0,${intDigits - 1}}${fraction}` : undefined;
  return new RegExp(`^(?:${nonZero ? `${nonZero}|` : ''}0${fraction})$`);
}

function toDecimal(v: unknown, spec: AnyColumnSpec, fail: (p: string) => never): string {
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'bigint') text = v.toString();
  else if (typeof v === 'number') text = Number.isFinite(v) ? String(v) : fail(`${v} is not a finite number`);
  else if (typeof v === 'object' && v !== null && !(v instanceof Date) && !Array.isArray(v)) text = String(v);
  else return fail(`expected a decimal string, bigint, finite number or decimal object, got ${describe(v)}`);
  const result = normalizeDecimal(text, spec.precision, spec.precision === undefined ? undefined : (spec.scale ?? 0));
  return 'value' in result ? result.value : fail(result.problem);
}

function toDate(v: unknown, fail: (p: string) => never): string {
  if (v instanceof Date) return fail('dates are \'YYYY-MM-DD\' strings, so no time zone can shift them; format the Date first');
  if (typeof v !== 'string') return fail(`expected a 'YYYY-MM-DD' string, got ${describe(v)}`);
  const m = ISO_DATE.exec(v);
  if (!m) return fail(`"${v.slice(0, 40)}" is not a 'YYYY-MM-DD' date`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1 || days === undefined || day < 1 || day > days) return fail(`"${v}" is not a calendar date`);
  return v;
}

function toTimestamp(v: unknown, fail: (p: string) => never): Date {
  const d = v instanceof Date ? v : typeof v === 'string' && OFFSET_TIMESTAMP.test(v) ? new Date(v) : undefined;
  if (d === undefined) return fail(`expected a Date or an ISO timestamp with an offset, got ${describe(v)}`);
  return Number.isNaN(d.getTime()) ? fail('is an invalid Date') : d;
}

function toJson(v: unknown, fail: (p: string) => never): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    return fail(`cannot be stored as JSON: ${(e as Error).message}`);
  }
  if (text === undefined) return fail(`cannot be stored as JSON: ${describe(v)}`);
  return hasJsonNul(text) ? fail('contains a NUL character (\\u0000) in a string or key, which PostgreSQL jsonb cannot store') : v;
}

/**
 * Whether JSON text encodes a NUL (`\u0000` after an even number of backslashes; `\\u0000` is a
 * backslash followed by the text "u0000"). The quick test first: almost no value has one.
 */
export function hasJsonNul(json: string): boolean {
  return json.includes('\\u0000') && /(?:^|[^\\])(?:\\\\)*\\u0000/.test(json);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string "${v.slice(0, 40)}"`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (v instanceof Date) return 'a Date';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
