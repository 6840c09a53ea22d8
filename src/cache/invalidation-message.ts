/**
 * What a commit (or an explicit invalidation) invalidated, as broadcast to the other processes — the
 * one message type of both transports: PostgreSQL NOTIFY (sent inside the committing transaction)
 * and Redis pub/sub.
 */
export interface InvalidationMessage {
  /** The process (shared cache) that invalidated; it has applied the message to itself already. */
  readonly origin: string;
  readonly tags: readonly string[];
  /** Keys forgotten. */
  readonly keys?: readonly string[];
  /** Changed row ids per cached table, or `'all'` for every row of the table. */
  readonly rows?: Readonly<Record<string, readonly string[] | 'all'>>;
}

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_PAYLOAD = 7900;

/**
 * The payload of a message. When the row ids do not fit, whole tables are invalidated instead: a
 * broadcast may over-invalidate, never under-invalidate.
 */
export function encodeInvalidation(message: InvalidationMessage): string {
  const text = JSON.stringify(message);
  if (text.length <= MAX_PAYLOAD || !message.rows) return text;
  const rows = Object.fromEntries(Object.keys(message.rows).map((table) => [table, 'all' as const]));
  return JSON.stringify({ ...message, rows });
}

/** Parses a payload; undefined for anything that is not one of ours. */
export function decodeInvalidation(payload: string): InvalidationMessage | undefined {
  try {
    const m = JSON.parse(payload) as Partial<InvalidationMessage>;
    if (typeof m.origin !== 'string' || !Array.isArray(m.tags)) return undefined;
    if (m.keys !== undefined && !Array.isArray(m.keys)) return undefined;
    if (m.rows !== undefined && (typeof m.rows !== 'object' || m.rows === null)) return undefined;
    return m as InvalidationMessage;
  } catch {
    return undefined;
  }
}
