import type { ColumnMeta, EntityMeta } from './entity-meta.js';
import { stringLiteral } from './types/column-type.js';
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
  const { spec, type } = c;
  const parts = [q(c.column), c.sqlType];
  if (type.generated === 'id') parts.push(`PRIMARY KEY DEFAULT nextval('${meta.sequence.replaceAll("'", "''")}')`);
  else if (!spec.nullable) parts.push('NOT NULL');
  if (type.generated === 'version') parts.push('DEFAULT 1');
  else if (c.defaultValue !== undefined && c.defaultValue !== null) parts.push(`DEFAULT ${type.ddlLiteral(c.defaultValue)}`);
  if (spec.enum) parts.push(`CHECK (${q(c.column)} IN (${spec.enum.map((e) => stringLiteral(e)).join(', ')}))`);
  if (spec.references) {
    const target = (typeof spec.references === 'function' ? spec.references() : spec.references).meta as EntityMeta;
    parts.push(`REFERENCES ${q(target.table)} (${q(target.id.column)})`);
  }
  return parts.join(' ');
}
