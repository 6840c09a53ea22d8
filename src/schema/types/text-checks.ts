import type { AnyColumnSpec } from '../column-spec.js';
import { describe, type Fail } from './column-type.js';

/**
 * The checks of every character type: a string, no NUL (PostgreSQL text cannot hold one), at most
 * `limit` characters counted as PostgreSQL counts them (code points), and one of `enum` when given.
 */
export function textConverter(spec: AnyColumnSpec, limit: number | undefined, fail: Fail): (v: unknown) => string {
  const allowed = spec.enum && new Set(spec.enum);
  return (v) => {
    if (typeof v !== 'string') return fail(`expected a string, got ${describe(v)}`);
    if (v.includes('\u0000')) return fail('contains a NUL character (\\u0000), which PostgreSQL text cannot store');
    // length counts UTF-16 units; only when it exceeds the limit do we count code points as PostgreSQL does.
    if (limit !== undefined && v.length > limit && [...v].length > limit) return fail(`is ${[...v].length} characters long; at most ${limit} are allowed`);
    if (allowed && !allowed.has(v)) return fail(`"${v.slice(0, 60)}" is not one of ${[...allowed].map((e) => `"${e}"`).join(', ')}`);
    return v;
  };
}

/** Enum values longer than the column allows can never be stored. */
export function enumProblems(spec: AnyColumnSpec, limit: number | undefined, option: string): string[] {
  if (!spec.enum || limit === undefined) return [];
  return spec.enum.filter((e) => [...e].length > limit).map((e) => `enum value "${e}" is longer than ${option} ${limit}`);
}
