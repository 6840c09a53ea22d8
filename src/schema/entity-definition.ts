import type { AnyColumnSpec } from './column-spec.js';
import type { EntityBase } from './entity-meta.js';

/** The object given to {@link defineEntity}. */
export interface EntityDefinition<C extends Record<string, AnyColumnSpec>, P extends keyof C & string = keyof C & string> {
  /** Entity name, PascalCase by convention; the table defaults to its snake_case (`DocLine` → `doc_line`). */
  readonly name: string;
  /** Table name, when it must differ from the snake_case name. */
  readonly table?: string;
  readonly columns: C;
  /**
   * This entity is a child in a parent/child collection: `field` is its `col.ref(parent)` column.
   * `onDelete: 'cascade'` makes `delete(parent)` delete the children too; the default, `'restrict'`,
   * leaves them and lets the foreign key refuse the parent's deletion.
   */
  readonly parent?: {
    readonly entity: EntityBase | (() => EntityBase);
    readonly field: P;
    readonly onDelete?: 'cascade' | 'restrict';
  };
  /**
   * Keep rows of this read-mostly entity in the process's shared cache (`db.cache`) between sessions:
   * `load`, `find` and `loadMany` look there after the transaction cache and before the database.
   */
  readonly cache?: EntityCacheOptions;
  /** Transactional indexes: a name and the fields forming the key. Each also gets a database index. */
  readonly indexes?: Readonly<Record<string, readonly (keyof C & string)[]>>;
}

/** The shared-cache setting of an entity. */
export interface EntityCacheOptions {
  /** How long a cached row is served (rows changed by commits of this process are dropped at once). */
  readonly ttlMs: number;
  /** Most rows of the entity kept (default 10,000). */
  readonly maxEntries?: number;
}
