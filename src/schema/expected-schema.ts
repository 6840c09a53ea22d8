import type { ColumnMeta, EntityMeta } from './entity-meta.js';
import type { EntityRegistry } from './entity-registry.js';

/** What the definitions say one table must look like, in the catalog's own terms. */
export interface ExpectedTable {
  readonly meta: EntityMeta;
  readonly columns: readonly ExpectedColumn[];
  /** Primary key column names, in key order. */
  readonly primaryKey: readonly string[];
  /** Foreign keys: the columns, and the table (as SQL) and columns they reference. */
  readonly foreignKeys: readonly { readonly columns: readonly string[]; readonly target: string; readonly targetTable: string; readonly targetColumns: readonly string[] }[];
  /** Column sets that must be unique (declared `unique: true` indexes). */
  readonly unique: readonly { readonly name: string; readonly columns: readonly string[] }[];
  /** The key's sequence (as SQL), with the increment the definition expects, if it says one. */
  readonly sequence: { readonly sql: string; readonly name: string; readonly increment: number | undefined } | undefined;
  /** The identity column, and whether it must be GENERATED ALWAYS. */
  readonly identity: { readonly column: string; readonly always: boolean } | undefined;
}

/** One column as `format_type` names its type (`character varying(10)`, `numeric(18,3)`, `bigint`). */
export interface ExpectedColumn {
  readonly field: string;
  readonly column: string;
  /** Types the column may have; the first is the one cellar's DDL creates. */
  readonly types: readonly string[];
  readonly nullable: boolean;
}

/** The expected shape of every table of the registry. */
export function expectedSchema(registry: EntityRegistry): ExpectedTable[] {
  return registry.writeOrder.map((meta) => expectedTable(meta));
}

function expectedTable(meta: EntityMeta): ExpectedTable {
  const { key } = meta;
  const foreignKeys = meta.references.map(({ column, target }) => {
    const t = target().meta;
    return { columns: [column.column], target: t.table, targetTable: t.sqlTable, targetColumns: t.key.columns.map((c) => c.column) };
  });
  const parent = meta.parent;
  if (parent && !(parent.columnIndexes.length === 1 && meta.columns[parent.columnIndexes[0] as number]?.spec.references)) {
    const t = parent.entity().meta;
    foreignKeys.push({ columns: parent.columnIndexes.map((i) => (meta.columns[i] as ColumnMeta).column), target: t.table, targetTable: t.sqlTable, targetColumns: t.key.columns.map((c) => c.column) });
  }
  const generated = key.generated;
  return {
    meta,
    columns: meta.columns.map((c) => ({ field: c.field, column: c.column, types: catalogTypes(c), nullable: c.spec.nullable === true && !key.covers(c.index) })),
    primaryKey: key.columns.map((c) => c.column),
    foreignKeys,
    unique: meta.indexes.filter((i) => i.unique).map((i) => ({ name: i.name, columns: i.columnIndexes.map((at) => (meta.columns[at] as ColumnMeta).column) })),
    sequence: key.source === 'sequence' && generated ? { sql: meta.sqlSequence, name: meta.sequence, increment: generated.spec.sequence?.increment } : undefined,
    identity: key.source === 'identity' && generated ? { column: generated.column, always: generated.spec.always === true } : undefined,
  };
}

const CATALOG_NAMES: Readonly<Record<string, string>> = {
  int8: 'bigint',
  int4: 'integer',
  int2: 'smallint',
  float8: 'double precision',
  float4: 'real',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
};

/**
 * The column's type as `format_type` writes it. A `col.text({ maxLength })` also accepts `text`:
 * the length is checked by cellar before anything is sent, so an unbounded column holds it.
 */
function catalogTypes(c: ColumnMeta): string[] {
  const sql = c.sqlType.replace(/ GENERATED .*$/, '');
  const bounded = /^(varchar|char)\((\d+)\)$/.exec(sql);
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(sql);
  const type = bounded
    ? `${bounded[1] === 'varchar' ? 'character varying' : 'character'}(${bounded[2]})`
    : numeric
      ? `numeric(${numeric[1]},${numeric[2]})`
      : (CATALOG_NAMES[sql] ?? sql);
  return c.spec.kind === 'text' && bounded ? [type, 'text'] : [type];
}
