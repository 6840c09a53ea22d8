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
    const { key } = meta;
    const sequenced = key.source === 'sequence' ? (key.generated as ColumnMeta) : undefined;
    const lines = [...meta.columns.map((c) => columnDdl(meta, c)), ...(key.keyless ? [] : [`PRIMARY KEY (${key.columns.map((c) => q(c.column)).join(', ')})`]), ...parentKeyConstraint(meta)];
    const create = [
      ...(sequenced ? [`CREATE SEQUENCE IF NOT EXISTS ${meta.sqlSequence} INCREMENT BY ${sequenced.spec.sequence?.increment ?? ID_BLOCK_SIZE}`] : []),
      `CREATE TABLE IF NOT EXISTS ${meta.sqlTable} (\n  ${lines.join(',\n  ')}\n)`,
      ...(sequenced ? [`ALTER SEQUENCE ${meta.sqlSequence} OWNED BY ${meta.sqlTable}.${q(sequenced.column)}`] : []),
    ];
    const indexes: string[] = [];
    for (const columns of foreignKeyColumns(meta)) {
      if (isPrefixOf(columns, key.columns)) continue; // the primary key's index serves it
      const name = generatedIdentifier(`${meta.tableName}_${columns.map((c) => c.column).join('_')}`, '_fk_idx');
      indexes.push(`CREATE INDEX IF NOT EXISTS ${q(name)} ON ${meta.sqlTable} (${columns.map((c) => q(c.column)).join(', ')})`);
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

/** The columns of each foreign key: every `col.ref`, and the parent's key columns when they are not one `col.ref`. */
function foreignKeyColumns(meta: EntityMeta): ColumnMeta[][] {
  const out = meta.references.map((r) => [r.column]);
  const parentColumns = parentKeyColumns(meta);
  if (parentColumns) out.push(parentColumns);
  return out;
}

/** The parent's key columns of a child whose `parent` is not a single `col.ref` (which carries its own REFERENCES). */
function parentKeyColumns(meta: EntityMeta): ColumnMeta[] | undefined {
  const parent = meta.parent;
  if (!parent) return undefined;
  const columns = parent.columnIndexes.map((i) => meta.columns[i] as ColumnMeta);
  return columns.length === 1 && columns[0]?.spec.references ? undefined : columns;
}

function parentKeyConstraint(meta: EntityMeta): string[] {
  const columns = parentKeyColumns(meta);
  if (!columns || !meta.parent) return [];
  const target = meta.parent.entity().meta;
  return [`FOREIGN KEY (${columns.map((c) => q(c.column)).join(', ')}) REFERENCES ${target.sqlTable} (${target.key.columns.map((c) => q(c.column)).join(', ')})`];
}

function isPrefixOf(columns: readonly ColumnMeta[], of: readonly ColumnMeta[]): boolean {
  return columns.length <= of.length && columns.every((c, i) => of[i] === c);
}

/** One column of CREATE TABLE (or ADD COLUMN): name, type, NOT NULL, default, enum CHECK, REFERENCES. */
export function columnDdl(meta: EntityMeta, c: ColumnMeta): string {
  const { spec, type } = c;
  const parts = [q(c.column), c.sqlType];
  if (type.generated === 'id' && spec.kind === 'id') parts.push(`NOT NULL DEFAULT nextval(${stringLiteral(meta.sqlSequence)}::regclass)`);
  else if (type.generated === 'id') parts.push('NOT NULL');
  else if (!spec.nullable) parts.push('NOT NULL');
  if (type.generated === 'version') parts.push('DEFAULT 1');
  else if (c.defaultValue !== undefined && c.defaultValue !== null) parts.push(`DEFAULT ${type.ddlLiteral(c.defaultValue)}`);
  if (spec.enum) parts.push(`CHECK (${q(c.column)} IN (${spec.enum.map((e) => stringLiteral(e)).join(', ')}))`);
  if (spec.references) {
    const target = (typeof spec.references === 'function' ? spec.references() : spec.references).meta as EntityMeta;
    parts.push(`REFERENCES ${target.sqlTable} (${target.key.columns.map((k) => q(k.column)).join(', ')})`);
  }
  return parts.join(' ');
}
