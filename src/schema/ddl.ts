import type { ColumnMeta, EntityMeta } from './entity-meta.js';
import type { EntityRegistry } from './entity-registry.js';
import { generatedIdentifier, ID_BLOCK_SIZE, quoteIdentifier as q, snakeCase } from './naming.js';

/**
 * Idempotent DDL for every entity of the registry, in an order that satisfies foreign keys:
 * sequences, tables (with primary key, NOT NULL, defaults, enum CHECKs, foreign keys), then an index
 * on every foreign key column and on every declared index.
 */
export function schemaStatements(registry: EntityRegistry): string[] {
  const statements: string[] = [];
  for (const meta of registry.writeOrder) {
    statements.push(`CREATE SEQUENCE IF NOT EXISTS ${q(meta.sequence)} INCREMENT BY ${ID_BLOCK_SIZE}`);
    statements.push(`CREATE TABLE IF NOT EXISTS ${q(meta.table)} (\n  ${meta.columns.map((c) => columnDdl(meta, c)).join(',\n  ')}\n)`);
    statements.push(`ALTER SEQUENCE ${q(meta.sequence)} OWNED BY ${q(meta.table)}.${q(meta.id.column)}`);
  }
  for (const meta of registry.writeOrder) {
    for (const { column } of meta.references) {
      statements.push(`CREATE INDEX IF NOT EXISTS ${q(generatedIdentifier(`${meta.table}_${column.column}`, '_fk_idx'))} ON ${q(meta.table)} (${q(column.column)})`);
    }
    for (const index of meta.indexes) {
      const cols = index.columnIndexes.map((i) => q((meta.columns[i] as ColumnMeta).column)).join(', ');
      statements.push(`CREATE INDEX IF NOT EXISTS ${q(generatedIdentifier(`${meta.table}_${snakeCase(index.name)}`, '_idx'))} ON ${q(meta.table)} (${cols})`);
    }
  }
  return statements;
}

function columnDdl(meta: EntityMeta, c: ColumnMeta): string {
  const { spec } = c;
  const parts = [q(c.column), sqlType(c)];
  if (spec.kind === 'id') parts.push(`PRIMARY KEY DEFAULT nextval('${meta.sequence.replaceAll("'", "''")}')`);
  else if (!spec.nullable) parts.push('NOT NULL');
  if (spec.kind === 'version') parts.push('DEFAULT 1');
  else if (c.defaultValue !== undefined && c.defaultValue !== null) parts.push(`DEFAULT ${literal(c.defaultValue, c)}`);
  if (spec.enum) parts.push(`CHECK (${q(c.column)} IN (${spec.enum.map((e) => stringLiteral(e)).join(', ')}))`);
  if (spec.kind === 'ref' && spec.references) {
    const target = (typeof spec.references === 'function' ? spec.references() : spec.references).meta;
    parts.push(`REFERENCES ${q(target.table)} (${q(target.id.column)})`);
  }
  return parts.join(' ');
}

/** The PostgreSQL type of a column, as used in DDL. */
export function sqlType(c: ColumnMeta): string {
  const { spec } = c;
  switch (spec.kind) {
    case 'text':
      return spec.maxLength === undefined ? 'text' : `varchar(${spec.maxLength})`;
    case 'decimal':
      return spec.precision === undefined ? 'numeric' : `numeric(${spec.precision},${spec.scale ?? 0})`;
    default:
      return arrayElementType(c);
  }
}

/** The type used for casts and `unnest` arrays of this column (no length or precision modifiers). */
export function arrayElementType(c: ColumnMeta): string {
  switch (c.spec.kind) {
    case 'id':
    case 'ref':
    case 'bigint':
      return 'int8';
    case 'int':
    case 'version':
      return 'int4';
    case 'decimal':
      return 'numeric';
    default:
      return c.spec.kind;
  }
}

function literal(value: unknown, c: ColumnMeta): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return `${stringLiteral(value.toISOString())}::timestamptz`;
  if (c.spec.kind === 'jsonb') return `${stringLiteral(JSON.stringify(value))}::jsonb`;
  return stringLiteral(String(value));
}

function stringLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
