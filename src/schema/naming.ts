import { createHash } from 'node:crypto';

/**
 * `docNumber` → `doc_number`, `DocLine` → `doc_line`, `idDoc` → `id_doc`, `HTTPCode` → `http_code`.
 * The same rule names entity tables, columns and the filter columns of `findObjects`.
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** PostgreSQL truncates identifiers past 63 bytes (NAMEDATALEN - 1); cellar refuses them instead. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * A name cellar makes up (a sequence, an index): `base + suffix` when it fits in 63 bytes; otherwise
 * `base` cut short (on a character boundary) plus `_` and 8 hex digits of a hash of the whole name,
 * then `suffix`. Deterministic, and two long names that share a prefix never collide, where
 * PostgreSQL's silent truncation would make them one.
 */
export function generatedIdentifier(base: string, suffix: string): string {
  const whole = `${base}${suffix}`;
  if (Buffer.byteLength(whole) <= MAX_IDENTIFIER_BYTES) return whole;
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, 8);
  const room = MAX_IDENTIFIER_BYTES - Buffer.byteLength(suffix) - hash.length - 1;
  let cut = '';
  for (const ch of base) {
    if (Buffer.byteLength(cut + ch) > room) break;
    cut += ch;
  }
  return `${cut}_${hash}${suffix}`;
}

/** `"name"`, with embedded quotes doubled. cellar quotes every identifier it generates. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Ids come from the entity's sequence in blocks of this size: one `nextval` reserves this many ids. */
export const ID_BLOCK_SIZE = 100;

/** An entity's `table` (maybe `'schema.table'`) and `schema` options as the schema and the bare table name. */
export function splitTableName(table: string, schema: string | undefined): { schema: string | undefined; table: string } {
  if (schema !== undefined) return { schema, table };
  const dot = table.indexOf('.');
  return dot > 0 && dot === table.lastIndexOf('.') ? { schema: table.slice(0, dot), table: table.slice(dot + 1) } : { schema: undefined, table };
}

/** The fields of an index definition (`['a', 'b']` or `{ columns: ['a', 'b'], unique }`). */
export function indexFields(index: readonly string[] | { readonly columns: readonly string[] }): readonly string[] {
  return 'columns' in index ? index.columns : (index as readonly string[]);
}
