import { type IntrospectedTable, qualifiedName } from '../schema/introspected-table.js';
import type { Connection } from './connection.js';

const TABLES = `SELECT c.oid, n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[]) ORDER BY n.nspname, c.relname`;
const COLUMNS = `SELECT a.attrelid, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`;
const keyNames = (rel: string, keys: string): string =>
  `(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(${keys}) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum)`;
const CONSTRAINTS = `SELECT c.conrelid, c.contype::text, ${keyNames('c.conrelid', 'c.conkey')}, tn.nspname::text, t.relname::text, ${keyNames('c.confrelid', 'c.confkey')}, c.confdeltype = 'c'
  FROM pg_constraint c LEFT JOIN pg_class t ON t.oid = c.confrelid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
  WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'f') ORDER BY c.conrelid, c.conname`;
const INDEXES = `SELECT i.indrelid, x.relname::text, CASE WHEN i.indexprs IS NULL AND i.indpred IS NULL THEN ${keyNames('i.indrelid', 'i.indkey::int2[]')} END, i.indisunique
  FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE i.indrelid = ANY($1::oid[]) AND NOT i.indisprimary ORDER BY i.indrelid, x.relname`;
/** Sequences a column owns (serial, identity) or draws from by default (`nextval('…')`). */
const SEQUENCES = `SELECT d.refobjid, a.attname::text, sn.nspname::text || '.' || s.relname::text, q.seqincrement
  FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace
  JOIN pg_sequence q ON q.seqrelid = s.oid JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.refobjid = ANY($1::oid[]) AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')`;

/**
 * Everything the entity generator needs of the tables of `schemas`, in five catalog queries whatever
 * the number of tables. Throws what the server says (no such schema is no tables, not an error).
 */
export async function introspectTables(connection: Connection, schemas: readonly string[]): Promise<IntrospectedTable[]> {
  const tables = (await connection.queryArrays(TABLES, [schemas])).rows;
  const oids = tables.map((t) => t[0]);
  type Draft = { -readonly [K in keyof IntrospectedTable]: IntrospectedTable[K] extends ReadonlyMap<infer A, infer B> ? Map<A, B> : IntrospectedTable[K] extends readonly (infer X)[] ? X[] : IntrospectedTable[K] };
  const byOid = new Map<unknown, Draft>();
  for (const [oid, schema, name] of tables) byOid.set(oid, { schema: schema as string, name: name as string, columns: [], primaryKey: [], foreignKeys: [], indexes: [], sequences: new Map() });
  const of = (oid: unknown): Draft => byOid.get(oid) as Draft;
  for (const [oid, name, type, notNull, defaultSql, identity] of (await connection.queryArrays(COLUMNS, [oids])).rows) {
    of(oid).columns.push({ name: name as string, type: type as string, notNull: notNull === true, defaultSql: (defaultSql as string | null) ?? undefined, identity: identity as '' | 'a' | 'd' });
  }
  for (const [oid, kind, columns, targetSchema, target, targetColumns, cascade] of (await connection.queryArrays(CONSTRAINTS, [oids])).rows) {
    const table = of(oid);
    if (kind === 'p') table.primaryKey = columns as string[];
    else table.foreignKeys.push({ columns: columns as string[], target: qualifiedName(targetSchema as string, target as string), targetColumns: targetColumns as string[], onDeleteCascade: cascade === true });
  }
  for (const [oid, name, columns, unique] of (await connection.queryArrays(INDEXES, [oids])).rows) {
    of(oid).indexes.push({ name: name as string, columns: (columns as string[] | null) ?? undefined, unique: unique === true });
  }
  for (const [oid, column, sequence, increment] of (await connection.queryArrays(SEQUENCES, [oids])).rows) {
    const [schema, name] = (sequence as string).split('.') as [string, string];
    of(oid).sequences.set(column as string, { name: qualifiedName(schema, name), increment: Number(increment) });
  }
  return [...byOid.values()];
}
