import type { ExpectedTable } from '../schema/expected-schema.js';
import type { LiveTable } from '../schema/schema-diff.js';
import type { Connection } from './connection.js';

/** `(table as given, its oid)` for every table of the definitions; oid NULL where it does not exist. */
const TABLES = 'WITH t AS (SELECT n, to_regclass(n)::oid AS oid FROM unnest($1::text[]) AS n)';

/** Column names of an attribute-number array, in array order (constraint and index keys). */
const names = (rel: string, keys: string): string =>
  `(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(${keys}) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum)`;

const COLUMNS = `${TABLES} SELECT t.n, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity::text FROM t JOIN pg_attribute a ON a.attrelid = t.oid WHERE a.attnum > 0 AND NOT a.attisdropped`;

const CONSTRAINTS =
  `${TABLES} SELECT t.n, c.contype::text, ${names('c.conrelid', 'c.conkey')}, (SELECT r.n FROM t r WHERE r.oid = c.confrelid), ${names('c.confrelid', 'c.confkey')} ` +
  `FROM t JOIN pg_constraint c ON c.conrelid = t.oid WHERE c.contype IN ('p', 'f', 'u')`;

const UNIQUE_INDEXES = `${TABLES} SELECT t.n, ${names('i.indrelid', 'i.indkey::int2[]')} FROM t JOIN pg_index i ON i.indrelid = t.oid WHERE i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`;

/** The increment of each key sequence: a declared sequence by name, an identity column's by pg_get_serial_sequence. */
const SEQUENCES = 'SELECT q.i, s.seqincrement FROM unnest($1::text[]) WITH ORDINALITY AS q(seq, i) LEFT JOIN pg_sequence s ON s.seqrelid = to_regclass(q.seq)';

/**
 * Reads what the live database has for the expected tables, in four catalog queries whatever the
 * number of tables, on one connection (the caller's transaction).
 */
export async function readCatalog(connection: Connection, expected: readonly ExpectedTable[]): Promise<Map<string, LiveTable>> {
  const tables = expected.map((t) => t.meta.sqlTable);
  const sequences = expected.map((t) => t.sequence?.sql ?? null);
  const [columns, constraints, unique, increments] = [
    await connection.queryArrays(COLUMNS, [tables]),
    await connection.queryArrays(CONSTRAINTS, [tables]),
    await connection.queryArrays(UNIQUE_INDEXES, [tables]),
    await connection.queryArrays(SEQUENCES, [sequences]),
  ];
  const existing = await connection.queryArrays('SELECT n, to_regclass(n) IS NOT NULL FROM unnest($1::text[]) AS n', [tables]);
  const live = new Map<string, Mutable>();
  for (const [n, exists] of existing.rows) {
    live.set(n as string, { sqlTable: n as string, exists: exists === true, columns: new Map(), primaryKey: undefined, foreignKeys: [], unique: [], sequenceIncrement: undefined });
  }
  const of = (n: unknown): Mutable => live.get(n as string) as Mutable;
  for (const [n, column, type, notNull, identity] of columns.rows) of(n).columns.set(column as string, { type: type as string, notNull: notNull === true, identity: identity as '' | 'a' | 'd' });
  for (const [n, kind, cols, target, targetCols] of constraints.rows) {
    const table = of(n);
    if (kind === 'p') table.primaryKey = cols as string[];
    if (kind === 'f') table.foreignKeys.push({ columns: cols as string[], targetTable: (target as string | null) ?? undefined, targetColumns: (targetCols as string[] | null) ?? [] });
  }
  for (const [n, cols] of unique.rows) of(n).unique.push(cols as string[]);
  for (const [i, increment] of increments.rows) {
    const table = of(tables[Number(i) - 1]);
    table.sequenceIncrement = increment === null ? undefined : Number(increment);
  }
  return live;
}

type LiveColumn = LiveTable['columns'] extends ReadonlyMap<string, infer C> ? C : never;
type Mutable = { -readonly [K in keyof LiveTable]: LiveTable[K] } & { columns: Map<string, LiveColumn>; foreignKeys: LiveTable['foreignKeys'][number][]; unique: (readonly string[])[] };
