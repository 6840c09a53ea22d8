/**
 * Text encoding of cached values that keeps cellar's types: `bigint` (int8 ids), `Date` (timestamptz)
 * and everything JSON has (numeric and date columns are strings already). Used for the byte size of
 * in-process entries and for any tier that stores text.
 */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (typeof raw === 'bigint') return { $bigint: raw.toString() };
    if (raw instanceof Date) return { $date: raw.toISOString() };
    return v;
  });
}

/** The inverse of {@link encodeValue}. */
export function decodeValue<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o['$bigint'] === 'string' && Object.keys(o).length === 1) return BigInt(o['$bigint']);
      if (typeof o['$date'] === 'string' && Object.keys(o).length === 1) return new Date(o['$date']);
    }
    return v;
  }) as T;
}
