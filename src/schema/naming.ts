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

/** `"name"`, with embedded quotes doubled. cellar quotes every identifier it generates. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Ids come from the entity's sequence in blocks of this size: one `nextval` reserves this many ids. */
export const ID_BLOCK_SIZE = 100;
