/**
 * Text encoding of cached values that keeps cellar's types — `bigint` (int8 ids), `Date`
 * (timestamptz) — and round-trips every JSON value exactly. Special values become one-key objects
 * (`{"$bigint":"…"}`, `{"$date":"…"}`); so that a plain object of the same shape cannot be mistaken
 * for one, every key of a plain object that starts with `$` gets one more `$` on the way in and
 * loses it on the way out. Used for the byte size of in-process entries and by every tier that
 * stores text (Redis, files).
 */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (typeof raw === 'bigint') return { $bigint: raw.toString() };
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && hasDollarKey(v)) return escapeKeys(v as Record<string, unknown>);
    return v;
  });
}

/** The inverse of {@link encodeValue}. */
export function decodeValue<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      if (keys[0] === '$bigint' && typeof o['$bigint'] === 'string') return BigInt(o['$bigint']);
      if (keys[0] === '$date' && typeof o['$date'] === 'string') return new Date(o['$date']);
    }
    return keys.some((k) => k.startsWith('$')) ? unescapeKeys(o) : o;
  }) as T;
}

function hasDollarKey(o: object): boolean {
  for (const k in o) if (k.startsWith('$')) return true;
  return false;
}

function escapeKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.startsWith('$') ? `$${k}` : k] = v;
  return out;
}

function unescapeKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.startsWith('$$') ? k.slice(1) : k] = v;
  return out;
}
