import type { AnyColumnSpec } from './column-spec.js';
import { generatedIdentifier, indexFields, quoteIdentifier, snakeCase, splitTableName } from './naming.js';
import { columnTypeOf } from './types/registry.js';
import type { ColumnMeta } from './column-meta.js';
import { createNormalizer } from './value-normalizer.js';

export type { ColumnMeta } from './column-meta.js';
import { KeyMeta } from './key-meta.js';
import type { MapKey } from './keys.js';

/** What metadata is built from: the parts of an entity definition it reads (see `EntityDefinition`). */
export interface MetaSource {
  readonly name: string;
  readonly table?: string;
  readonly schema?: string;
  readonly columns: Readonly<Record<string, AnyColumnSpec>>;
  readonly primaryKey?: string | readonly string[];
  readonly parent?: { readonly entity: EntityBase | (() => EntityBase); readonly field?: string; readonly fields?: readonly string[]; readonly onDelete?: 'cascade' | 'restrict' };
  readonly indexes?: Readonly<Record<string, readonly string[] | { readonly columns: readonly string[]; readonly unique?: boolean }>>;
  readonly cache?: { readonly ttlMs: number; readonly maxEntries?: number };
}

/** What every entity has at run time, whatever its columns. */
export interface EntityBase {
  readonly name: string;
  readonly meta: EntityMeta;
}

/** The parent/child relation declared by `parent:`. */
export interface ParentMeta {
  readonly entity: () => EntityBase;
  /** The fields holding the parent's key (one `col.ref`, or one per column of a composite key). */
  readonly fields: readonly string[];
  readonly columnIndexes: readonly number[];
  readonly onDelete: 'cascade' | 'restrict';
}

/** A declared transactional index: a name and the fields that form its key. */
export interface IndexMeta {
  readonly name: string;
  readonly fields: readonly string[];
  readonly columnIndexes: readonly number[];
  /** A UNIQUE index: `byKey` returns one row or undefined. */
  readonly unique: boolean;
}

/**
 * Runtime metadata of an entity: column order, id and version positions, parent and indexes.
 * Built once by `defineEntity`, frozen, and shared by every session.
 */
export class EntityMeta {
  /** The table as named in tags and messages: `doc`, or `tpcc.district` with a schema. */
  readonly table: string;
  /** The table's schema, when the entity names one. */
  readonly schema: string | undefined;
  /** The table's bare name in the database. */
  readonly tableName: string;
  /** The table as SQL: `"doc"` or `"tpcc"."district"`. */
  readonly sqlTable: string;
  /** The id sequence's name as text (`doc_id_seq`, `tpcc.district_id_seq`). */
  readonly sequence: string;
  /** The id sequence as SQL: `"doc_id_seq"`, `"tpcc"."district_id_seq"`. */
  readonly sqlSequence: string;
  readonly columns: readonly ColumnMeta[];
  /** The primary key: its columns, where its values come from, how rows are told apart. */
  readonly key: KeyMeta;
  /** The row position of a one-column key, or -1 for a composite one. */
  readonly idIndex: number;
  /** Positions of int8 columns held as numbers (`mode: 'number'`): rows read are converted there. */
  readonly numberColumns: readonly number[];
  /** Index of the `col.version()` column, or -1. */
  readonly versionIndex: number;
  readonly parent: ParentMeta | undefined;
  readonly indexes: readonly IndexMeta[];
  /** The shared-cache setting, when the entity declares `cache`. */
  readonly cache: { readonly ttlMs: number; readonly maxEntries: number; readonly keyFromText: (text: string) => MapKey } | undefined;
  readonly #byField: ReadonlyMap<string, ColumnMeta>;

  readonly name: string;

  constructor(definition: MetaSource) {
    const { name, columns, parent, indexes, cache } = definition;
    this.name = name;
    const { schema, table } = splitTableName(definition.table ?? snakeCase(name), definition.schema);
    this.schema = schema;
    this.tableName = table;
    this.table = schema === undefined ? table : `${schema}.${table}`;
    this.sqlTable = qualified(schema, table);
    const declaredSequence = Object.values(columns).find((c) => c.kind === 'id')?.sequence?.name;
    const named = declaredSequence === undefined ? { schema, table: generatedIdentifier(`${table}_id`, '_seq') } : splitTableName(declaredSequence, undefined);
    const sequenceSchema = named.schema ?? (declaredSequence === undefined ? schema : undefined);
    this.sequence = sequenceSchema === undefined ? named.table : `${sequenceSchema}.${named.table}`;
    this.sqlSequence = qualified(sequenceSchema, named.table);
    this.columns = Object.entries(columns).map(([field, spec], index) => {
      const type = columnTypeOf(spec.kind);
      const normalize = createNormalizer(name, field, spec);
      const defaultValue = spec.default === undefined ? undefined : normalize(spec.default);
      return Object.freeze({ field, column: spec.name ?? snakeCase(field), index, spec, type, castType: type.castType(spec), sqlType: type.sqlType(spec), normalize, defaultValue });
    });
    this.#byField = new Map(this.columns.map((c) => [c.field, c]));
    const keyFields = definition.primaryKey === undefined ? this.columns.filter((c) => c.type.generated === 'id').map((c) => c.field) : typeof definition.primaryKey === 'string' ? [definition.primaryKey] : definition.primaryKey;
    this.key = new KeyMeta(name, keyFields.map((f) => this.#byField.get(f) as ColumnMeta));
    this.idIndex = this.key.index;
    this.numberColumns = this.columns.filter((c) => c.spec.mode === 'number').map((c) => c.index);
    this.versionIndex = this.columns.findIndex((c) => c.type.generated === 'version');
    const parentFields = parent ? (parent.fields ?? (parent.field === undefined ? [] : [parent.field])) : [];
    this.parent = parent && {
      entity: toThunk(parent.entity),
      fields: parentFields,
      columnIndexes: parentFields.map((f) => this.#byField.get(f)?.index ?? -1),
      onDelete: parent.onDelete ?? 'restrict',
    };
    this.indexes = Object.entries(indexes ?? {}).map(([indexName, index]) => {
      const fields = indexFields(index);
      return { name: indexName, fields, columnIndexes: fields.map((f) => this.#byField.get(f)?.index ?? -1), unique: 'unique' in index && index.unique === true };
    });
    this.cache = cache && Object.freeze({ ttlMs: cache.ttlMs, maxEntries: cache.maxEntries ?? 10_000, keyFromText: this.key.mapKeyOfText });
    Object.freeze(this);
  }

  /** The column for a field, or undefined. */
  field(field: string): ColumnMeta | undefined {
    return this.#byField.get(field);
  }


  /** Columns of kind `ref`, with the entity each points to. */
  get references(): readonly { column: ColumnMeta; target: () => EntityBase }[] {
    return this.columns.flatMap((c) => (c.spec.references ? [{ column: c, target: toThunk(c.spec.references as EntityBase | (() => EntityBase)) }] : []));
  }
}

function qualified(schema: string | undefined, name: string): string {
  return schema === undefined ? quoteIdentifier(name) : `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

function toThunk(entity: EntityBase | (() => EntityBase)): () => EntityBase {
  return typeof entity === 'function' ? entity : () => entity;
}
