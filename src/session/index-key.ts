/**
 * Keys of cache indexes. A one-column key is the normalized value itself (bigint, number, string,
 * boolean; a Date by its time), so Map lookups stay primitive; a composite key is a string joining
 * type-tagged parts, so `[1n, 'a']` and `['1', 'a']` never collide.
 */
export type IndexKey = bigint | number | string | boolean;

/** A bigint within ±2^53 as a number (cheaper to hash); a larger one as it is. */
export function bigintKey(value: bigint): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/** A bigint within ±2^53 as a number (cheaper to hash); anything else as it is. */
export function primitiveKey(value: IndexKey): IndexKey {
  return typeof value === 'bigint' ? bigintKey(value) : value;
}

/** The key of one value (one-column index). */
export function singleKey(value: unknown): IndexKey {
  if (typeof value === 'bigint') return primitiveKey(value);
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return value as IndexKey;
}

/** The key of several values (composite index). */
export function compositeKey(values: readonly unknown[]): string {
  let key = '';
  for (const v of values) key += `${typeof v === 'bigint' ? 'n' : typeof v === 'number' ? 'd' : v instanceof Date ? 't' : typeof v === 'boolean' ? 'b' : 's'}${String(v instanceof Date ? v.getTime() : v)}\u0000`;
  return key;
}
