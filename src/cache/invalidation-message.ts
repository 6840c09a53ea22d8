/** What one commit invalidated, as broadcast to the other processes. */
export interface InvalidationMessage {
  /** The process (Database instance) that committed; it has invalidated its own cache already. */
  readonly origin: string;
  readonly tags: readonly string[];
  /** Changed row ids per cached table, or `'all'` for every row of the table. */
  readonly rows: Readonly<Record<string, readonly string[] | 'all'>>;
}

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_PAYLOAD = 7900;

/**
 * The NOTIFY payload of an invalidation. When the ids do not fit, whole tables are invalidated
 * instead: a broadcast may over-invalidate, never under-invalidate.
 */
export function encodeInvalidation(message: InvalidationMessage): string {
  const text = JSON.stringify(message);
  if (text.length <= MAX_PAYLOAD) return text;
  const rows = Object.fromEntries(Object.keys(message.rows).map((table) => [table, 'all' as const]));
  return JSON.stringify({ ...message, rows });
}

/** Parses a payload; undefined for anything that is not one of ours. */
export function decodeInvalidation(payload: string): InvalidationMessage | undefined {
  try {
    const m = JSON.parse(payload) as Partial<InvalidationMessage>;
    if (typeof m.origin !== 'string' || !Array.isArray(m.tags) || typeof m.rows !== 'object' || m.rows === null) return undefined;
    return m as InvalidationMessage;
  } catch {
    return undefined;
  }
}
