import { SqlParamError } from '../errors/sql-param-error.js';
import { hasJsonNul } from '../schema/types/jsonb-type.js';
import { quoteElement } from '../schema/types/column-type.js';

/**
 * Converts a JavaScript value to what node-postgres sends as a text parameter. bigint is sent
 * exactly; arrays become PostgreSQL array literals (nested arrays become multi-dimensional);
 * Date is sent as ISO-8601 UTC; plain objects as JSON. A NUL character, which no PostgreSQL text
 * can hold, is a `SQL_PARAM` error here rather than a failed statement.
 */
export function encodeParam(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return withoutNul(value);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    default:
      if (Array.isArray(value)) return arrayLiteral(value);
      if (value instanceof Date) return value.toISOString();
      if (Buffer.isBuffer(value)) return value;
      return toJson(value);
  }
}

/** `{1,2,NULL}`, `{"a","b \"q\""}`: the text form of a PostgreSQL array. */
export function arrayLiteral(values: readonly unknown[]): string {
  // Key and id arrays (thousands of integers) take the native join.
  if (values.every(isInteger)) return `{${values.join(',')}}`;
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += arrayElement(values[i]);
  }
  return `${out}}`;
}

function isInteger(v: unknown): boolean {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isFinite(v));
}

function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 't' : 'f';
    case 'string':
      return quoteElement(withoutNul(v));
    default:
      if (Array.isArray(v)) return arrayLiteral(v);
      if (v instanceof Date) return quoteElement(v.toISOString());
      return quoteElement(toJson(v));
  }
}

export { quoteElement };

function toJson(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch (e) {
    throw new SqlParamError(`a parameter cannot be sent as JSON: ${(e as Error).message}`);
  }
  if (hasJsonNul(json)) throw SqlParamError.nul();
  return json;
}

function withoutNul(s: string): string {
  if (s.includes('\u0000')) throw SqlParamError.nul();
  return s;
}
