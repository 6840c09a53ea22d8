import type { ColumnMeta, EntityMeta } from './entity-meta.js';
import { stringLiteral } from './types/column-type.js';
import type { EntityRegistry } from './entity-registry.js';
import { generatedIdentifier, ID_BLOCK_SIZE, quoteIdentifier as q, snakeCase } from './naming.js';

/** The DDL of one entity: what creates its table (sequence included), and its indexes. */
export interface EntityDdl {
  readonly meta: EntityMeta;
  readonly create: readonly string[];
  readonly indexes: readonly string[];
}

/**
 * Idempotent DDL for every entity of the registry, in an order that satisfies foreign keys: the
 * schemas, then per entity its sequence and table (primary key, NOT NULL, defaults, enum CHECKs,
 * foreign keys), then an index on every foreign key column and on every declared index (UNIQUE
 * where declared).
 */
export function schemaDdl(registry: EntityRegistry): { schemas: string[]; entities: EntityDdl[] } {
  const schemas = [...new Set(registry.writeOrder.flatMap((m) => (m.schema === undefined ? [] : [m.schema])))].map((schema) => `CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
  const entities = registry.writeOrder.map((meta): EntityDdl => {
    const create = [
      `CREATE SEQUENCE IF NOT EXISTS ${meta.sqlSequence} INCREMENT BY ${ID_BLOCK_SIZE}`,
      `CREATE TABLE IF NOT EXISTS ${meta.sqlTable} (\n  ${meta.columns.map((c) => columnDdl(meta, c)).join(',\n  ')}\n)`,
      `ALTER SEQUENCE ${meta.sqlSequence} OWNED BY ${meta.sqlTable}.${q(meta.id.column)}`,
    ];
    const indexes: string[] = [];
    for (const { column } of meta.references) {
      indexes.push(`CREATE INDEX IF NOT EXISTS ${q(generatedIdentifier(`${meta.tableName}_${column.column}`, '_fk_idx'))} ON ${meta.sqlTable} (${q(column.column)})`);
    }
    for (const index of meta.indexes) {
      const cols = index.columnIndexes.map((i) => q((meta.columns[i] as ColumnMeta).column)).join(', ');
      indexes.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${q(generatedIdentifier(`${meta.tableName}_${snakeCase(index.name)}`, '_idx'))} ON ${meta.sqlTable} (${cols})`);
    }
    return { meta, create, indexes };
  });
  return { schemas, entities };
}

/** All of {@link schemaDdl} as one list, in order. */
export function schemaStatements(registry: EntityRegistry): string[] {
  const { schemas, entities } = schemaDdl(registry);
  return [...schemas, ...entities.flatMap((e) => e.create), ...entities.flatMap((e) => e.indexes)];
}

function columnDdl(meta: EntityMeta, c: ColumnMeta): string {
  const { spec, type } = c;
  const parts = [q(c.column), c.sqlType];
  if (type.generated === 'id') parts.push(`PRIMARY KEY DEFAULT nextval(${stringLiteral(meta.sqlSequence)}::regclass)`);
  else if (!spec.nullable) parts.push('NOT NULL');
  if (type.generated === 'version') parts.push('DEFAULT 1');
  else if (c.defaultValue !== undefined && c.defaultValue !== null) parts.push(`DEFAULT ${type.ddlLiteral(c.defaultValue)}`);
  if (spec.enum) parts.push(`CHECK (${q(c.column)} IN (${spec.enum.map((e) => stringLiteral(e)).join(', ')}))`);
  if (spec.references) {
    const target = (typeof spec.references === 'function' ? spec.references() : spec.references).meta as EntityMeta;
    parts.push(`REFERENCES ${target.sqlTable} (${q(target.id.column)})`);
  }
  return parts.join(' ');
}
