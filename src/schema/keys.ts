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

/** The key of several values (composite index, composite primary key). */
export function compositeKey(values: readonly unknown[]): string {
  let key = '';
  // bigint and number share a tag: an int8 held as a number (`mode: 'number'`) and the same value as
  // a bigint in a referencing column must meet under one key.
  for (const v of values) key += `${typeof v === 'bigint' || typeof v === 'number' ? 'n' : v instanceof Date ? 't' : typeof v === 'boolean' ? 'b' : v instanceof Uint8Array ? 'x' : 's'}${v instanceof Date ? v.getTime() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v)}\u0000`;
  return key;
}

/** How rows of an entity are told apart: a primitive map key of a key value (one column's, or a tuple's). */
export type MapKey = number | bigint | string | boolean;

/**
 * The map key of one key column's value: a safe int8 as a number (cheaper to hash), a Date by its
 * time, bytes by their hex, anything else as it is.
 */
export function singleMapKey(value: unknown): MapKey {
  if (typeof value === 'bigint') return bigintKey(value);
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return `x${Buffer.from(value).toString('hex')}`;
  return value as MapKey;
}

/** Orders two key values (one column's, or tuples compared column by column) as the database does for ids and text. */
export function compareKeys(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < a.length; i++) {
      const c = compareKeys(a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  }
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

/** Orders two ids of one entity: primitives directly (the common case), tuples column by column. */
export function compareIds(a: unknown, b: unknown): number {
  if (typeof a === 'object' || typeof b === 'object') return compareKeys(a, b);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Whether two normalized column values are the same value (dates by time, bytes by content, numbers and bigints by value). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const numeric = (v: unknown): boolean => typeof v === 'number' || typeof v === 'bigint';
  if (typeof a === 'bigint' || typeof b === 'bigint') return numeric(a) && numeric(b) && String(a) === String(b);
  return singleMapKey(a) === singleMapKey(b);
}
