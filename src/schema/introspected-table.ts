/** One column of a live table, as the catalog describes it (input of the entity generator). */
export interface IntrospectedColumn {
  readonly name: string;
  /** `format_type` of the column: `integer`, `character varying(10)`, `numeric(12,2)`. */
  readonly type: string;
  readonly notNull: boolean;
  /** The default expression as PostgreSQL prints it (`nextval('doc_id_seq'::regclass)`, `0`), or undefined. */
  readonly defaultSql: string | undefined;
  /** `a` GENERATED ALWAYS, `d` BY DEFAULT, `` none. */
  readonly identity: '' | 'a' | 'd';
}

/** A foreign key of a live table. */
export interface IntrospectedForeignKey {
  readonly columns: readonly string[];
  /** The referenced table, schema-qualified unless in `public`. */
  readonly target: string;
  readonly targetColumns: readonly string[];
  readonly onDeleteCascade: boolean;
}

/** An index of a live table (primary key indexes excluded). */
export interface IntrospectedIndex {
  readonly name: string;
  /** Its key columns, or undefined when it has expressions or a predicate (cellar cannot declare those). */
  readonly columns: readonly string[] | undefined;
  readonly unique: boolean;
}

/** A live table, everything the entity generator needs of it. */
export interface IntrospectedTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly IntrospectedColumn[];
  /** Primary key columns in key order (empty: no primary key). */
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly IntrospectedForeignKey[];
  readonly indexes: readonly IntrospectedIndex[];
  /** Sequences owned by or defaulting columns: column → `{ name (schema-qualified), increment }`. */
  readonly sequences: ReadonlyMap<string, { readonly name: string; readonly increment: number }>;
}

/** The table as SQL text names it: `tpcc.orders`, or `doc` in `public`. */
export function qualifiedName(schema: string, table: string): string {
  return schema === 'public' ? table : `${schema}.${table}`;
}
