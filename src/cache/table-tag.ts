/** The cache tag of a table: cached query results carry it, and a commit writing the table invalidates it. */
export function tableTag(table: string): string {
  return `table:${table}`;
}
