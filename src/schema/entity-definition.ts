import type { AnyColumnSpec } from './column-spec.js';
import type { EntityBase } from './entity-meta.js';

/** The object given to {@link defineEntity}. */
export interface EntityDefinition<
  C extends Record<string, AnyColumnSpec>,
  P extends keyof C & string = keyof C & string,
  I extends IndexDefinitions<keyof C & string> = IndexDefinitions<keyof C & string>,
  K extends PrimaryKeyDefinition<keyof C & string> = PrimaryKeyDefinition<keyof C & string>,
> {
  /** Entity name, PascalCase by convention; the table defaults to its snake_case (`DocLine` → `doc_line`). */
  readonly name: string;
  /**
   * Table name, when it must differ from the snake_case name — exactly as in the database (quoted
   * in every statement); `'schema.table'` names the schema too.
   */
  readonly table?: string;
  /** The table's schema (default: the connection's `search_path`, usually `public`). */
  readonly schema?: string;
  readonly columns: C;
  /**
   * This entity is a child in a parent/child collection: `field` is its `col.ref(parent)` column.
   * `onDelete: 'cascade'` makes `delete(parent)` delete the children too; the default, `'restrict'`,
   * leaves them and lets the foreign key refuse the parent's deletion.
   */
  readonly parent?: {
    readonly entity: EntityBase | (() => EntityBase);
    /** The `col.ref` to the parent. */
    readonly field?: P;
    /** For a parent with a composite key: the fields holding its key, in its key order. */
    readonly fields?: readonly P[];
    readonly onDelete?: 'cascade' | 'restrict';
  };
  /**
   * The primary key's fields, when it is not a `col.id()` / `col.identity()` column: one field (a
   * natural or application-assigned key) or several (a composite key), in the key's order.
   */
  readonly primaryKey?: K;
  /**
   * Keep rows of this read-mostly entity in the process's shared cache (`db.cache`) between sessions:
   * `load`, `find` and `loadMany` look there after the transaction cache and before the database.
   */
  readonly cache?: EntityCacheOptions;
  /**
   * Transactional indexes: a name and the fields forming the key, or `{ columns, unique: true }` for a
   * unique one (a UNIQUE database index; `byKey` then returns one rop or undefined). Each also gets a
   * database index when `db.schema.create()` creates the table.
   */
  readonly indexes?: I;
}

/** The `primaryKey` of a definition: one field, or the fields of a composite key in order. */
export type PrimaryKeyDefinition<F extends string = string> = F | readonly F[];

/** The `indexes` of a definition: a name per index. */
export type IndexDefinitions<F extends string = string> = Readonly<Record<string, IndexDefinition<F>>>;

/** One transactional index: its fields, or the fields and whether it is unique. */
export type IndexDefinition<F extends string = string> = readonly F[] | { readonly columns: readonly F[]; readonly unique?: boolean };

/** The shared-cache setting of an entity. */
export interface EntityCacheOptions {
  /** How long a cached row is served (rows changed by commits of this process are dropped at once). */
  readonly ttlMs: number;
  /** Most rows of the entity kept (default 10,000). */
  readonly maxEntries?: number;
}
