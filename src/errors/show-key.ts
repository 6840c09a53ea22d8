/** A row's key as messages show it: `42`, or `(1, 3)` for a composite key. */
export function showKey(id: unknown): string {
  return Array.isArray(id) ? `(${id.map(String).join(', ')})` : String(id);
}
