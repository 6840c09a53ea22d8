import type { AnyColumnSpec, ColumnOptions, ColumnSpec } from '../column-spec.js';
import { makeSpec } from '../column-spec.js';
import { type ColumnType, describe, quoteElement, stringLiteral } from './column-type.js';

/**
 * Whether JSON text encodes a NUL (`\u0000` after an even number of backslashes; `\\u0000` is a
 * backslash followed by the text "u0000"). The quick test first: almost no value has one.
 */
export function hasJsonNul(json: string): boolean {
  return json.includes('\\u0000') && /(?:^|[^\\])(?:\\\\)*\\u0000/.test(json);
}

/**
 * `jsonb` factory. Overloads instead of an inferred options type, because callers give `T` explicitly
 * and TypeScript cannot then infer the options' literal type.
 */
function jsonb<T = unknown>(options: { readonly nullable: true; readonly default?: T | null }): ColumnSpec<T | null, true, false, T | null>;
function jsonb<T = unknown>(options: { readonly nullable?: false; readonly default: T }): ColumnSpec<T, true, false, T>;
function jsonb<T = unknown>(options?: { readonly nullable?: false }): ColumnSpec<T, false, false, T>;
function jsonb(options?: ColumnOptions<unknown>): AnyColumnSpec {
  return makeSpec('jsonb', options);
}

/** `col.jsonb<T>()`: `jsonb`; `T` is the shape you promise to store (not checked beyond JSON-serializability). */
export const jsonbType = {
  kind: 'jsonb',
  options: [],
  primitiveKey: false,
  sqlType: () => 'jsonb',
  castType: () => 'jsonb',
  converter: (_spec, fail) => (v) => {
    let text: string | undefined;
    try {
      text = JSON.stringify(v);
    } catch (e) {
      return fail(`cannot be stored as JSON: ${(e as Error).message}`);
    }
    if (text === undefined) return fail(`cannot be stored as JSON: ${describe(v)}`);
    return hasJsonNul(text) ? fail('contains a NUL character (\\u0000) in a string or key, which PostgreSQL jsonb cannot store') : v;
  },
  arrayElement: (v) => quoteElement(JSON.stringify(v)),
  fromDriver: (v) => v,
  ddlLiteral: (v) => `${stringLiteral(JSON.stringify(v))}::jsonb`,
  toParam: (v) => JSON.stringify(v),
  factory: jsonb,
} satisfies ColumnType & { factory: unknown };
