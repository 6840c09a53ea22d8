import type { AnyColumnSpec } from './column-spec.js';
import { generatedIdentifier, snakeCase } from './naming.js';
import type { ColumnType } from './types/column-type.js';
import { columnTypeOf } from './types/registry.js';
import { createNormalizer, type Normalizer } from './value-normalizer.js';

/** What every entity has at run time, whatever its columns. */
export interface EntityBase {
  readonly name: string;
  readonly meta: EntityMeta;
}

/** One column of an entity as the runtime sees it. */
export interface ColumnMeta {
  /** Property name in TypeScript, e.g. `docNumber`. */
  readonly field: string;
  /** Column name in PostgreSQL, e.g. `doc_number`. */
  readonly column: string;
  /** Position in a row's value array. */
  readonly index: number;
  readonly spec: AnyColumnSpec;
  /** The kind's behaviour (src/schema/types). */
  readonly type: ColumnType;
  /** The type of casts and unnest arrays: `int8`, `numeric`, `text`. */
  readonly castType: string;
  /** The type in DDL, with modifiers: `varchar(40)`. */
  readonly sqlType: string;
  /** Validates and canonicalizes a value for this column; throws `ValidationError`. */
  readonly normalize: Normalizer;
  /** The normalized default, or undefined when the column has none. */
  readonly defaultValue: unknown;
}

/** The parent/child relation declared by `parent:`. */
export interface ParentMeta {
  readonly entity: () => EntityBase;
  readonly field: string;
  readonly columnIndex: number;
  readonly onDelete: 'cascade' | 'restrict';
}

/** A declared transactional index: a name and the fields that form its key. */
export interface IndexMeta {
  readonly name: string;
  readonly fields: readonly string[];
  readonly columnIndexes: readonly number[];
}

/**
 * Runtime metadata of an entity: column order, id and version positions, parent and indexes.
 * Built once by `defineEntity`, frozen, and shared by every session.
 */
export class EntityMeta {
  readonly table: string;
  readonly sequence: string;
  readonly columns: readonly ColumnMeta[];
  readonly idIndex: number;
  /** Index of the `col.version()` column, or -1. */
  readonly versionIndex: number;
  readonly parent: ParentMeta | undefined;
  readonly indexes: readonly IndexMeta[];
  /** The shared-cache setting, when the entity declares `cache`. */
  readonly cache: { readonly ttlMs: number; readonly maxEntries: number } | undefined;
  readonly #byField: ReadonlyMap<string, ColumnMeta>;

  constructor(
    readonly name: string,
    table: string | undefined,
    columns: Readonly<Record<string, AnyColumnSpec>>,
    parent: { entity: EntityBase | (() => EntityBase); field: string; onDelete?: 'cascade' | 'restrict' } | undefined,
    indexes: Readonly<Record<string, readonly string[]>> | undefined,
    cache?: { readonly ttlMs: number; readonly maxEntries?: number },
  ) {
    this.table = table ?? snakeCase(name);
    this.sequence = generatedIdentifier(`${this.table}_id`, '_seq');
    this.columns = Object.entries(columns).map(([field, spec], index) => {
      const type = columnTypeOf(spec.kind);
      const normalize = createNormalizer(name, field, spec);
      const defaultValue = spec.default === undefined ? undefined : normalize(spec.default);
      return Object.freeze({ field, column: snakeCase(field), index, spec, type, castType: type.castType(spec), sqlType: type.sqlType(spec), normalize, defaultValue });
    });
    this.#byField = new Map(this.columns.map((c) => [c.field, c]));
    this.idIndex = this.columns.findIndex((c) => c.type.generated === 'id');
    this.versionIndex = this.columns.findIndex((c) => c.type.generated === 'version');
    this.parent = parent && {
      entity: toThunk(parent.entity),
      field: parent.field,
      columnIndex: this.#byField.get(parent.field)?.index ?? -1,
      onDelete: parent.onDelete ?? 'restrict',
    };
    this.indexes = Object.entries(indexes ?? {}).map(([name, fields]) => ({
      name,
      fields,
      columnIndexes: fields.map((f) => this.#byField.get(f)?.index ?? -1),
    }));
    this.cache = cache && Object.freeze({ ttlMs: cache.ttlMs, maxEntries: cache.maxEntries ?? 10_000 });
    Object.freeze(this);
  }

  /** The column for a field, or undefined. */
  field(field: string): ColumnMeta | undefined {
    return this.#byField.get(field);
  }

  /** The id column. */
  get id(): ColumnMeta {
    return this.columns[this.idIndex] as ColumnMeta;
  }

  /** Columns of kind `ref`, with the entity each points to. */
  get references(): readonly { column: ColumnMeta; target: () => EntityBase }[] {
    return this.columns.flatMap((c) => (c.spec.references ? [{ column: c, target: toThunk(c.spec.references as EntityBase | (() => EntityBase)) }] : []));
  }
}

function toThunk(entity: EntityBase | (() => EntityBase)): () => EntityBase {
  return typeof entity === 'function' ? entity : () => entity;
}
