import type { SchemaMismatch } from '../errors/schema-mismatch-error.js';
import type { ExpectedTable } from './expected-schema.js';

export type { SchemaMismatch, SchemaMismatchKind } from '../errors/schema-mismatch-error.js';

/** What the live database has for one table, as the catalog reports it (see `db/catalog-reader`). */
export interface LiveTable {
  /** The table as SQL, as the definitions name it. */
  readonly sqlTable: string;
  readonly exists: boolean;
  readonly columns: ReadonlyMap<string, { readonly type: string; readonly notNull: boolean; readonly identity: '' | 'a' | 'd' }>;
  readonly primaryKey: readonly string[] | undefined;
  /** Foreign keys: columns, and the referenced table (as the definitions name it, when it is one of theirs) and columns. */
  readonly foreignKeys: readonly { readonly columns: readonly string[]; readonly targetTable: string | undefined; readonly targetColumns: readonly string[] }[];
  /** Column lists of unique indexes and constraints (the primary key's included). */
  readonly unique: readonly (readonly string[])[];
  /** The increment of the key's sequence, or undefined when there is no such sequence. */
  readonly sequenceIncrement: number | undefined;
}

/** Every difference between the expected tables and the live ones, in definition order. */
export function schemaDiff(expected: readonly ExpectedTable[], live: ReadonlyMap<string, LiveTable>): SchemaMismatch[] {
  const out: SchemaMismatch[] = [];
  for (const table of expected) {
    const { meta } = table;
    const found = live.get(meta.sqlTable);
    const at = { entity: meta.name, table: meta.table };
    const add = (m: Omit<SchemaMismatch, 'entity' | 'table'>): void => void out.push({ ...at, ...m });
    if (!found?.exists) {
      add({ kind: 'missing-table', expected: `table ${meta.table}`, message: `${meta.table} does not exist: create it (db.schema.create()) or name the existing table in the definition (table:)` });
      continue;
    }
    for (const c of table.columns) {
      const has = found.columns.get(c.column);
      const where = `${meta.table}.${c.column}`;
      if (!has) {
        add({ kind: 'missing-column', column: c.column, expected: c.types[0] as string, message: `${where} (field ${c.field}) does not exist: add the column, or name the existing one with name:` });
        continue;
      }
      if (!c.types.includes(has.type)) add({ kind: 'column-type', column: c.column, expected: c.types.join(' or '), actual: has.type, message: `${where} is ${has.type}, the definition says ${c.types.join(' or ')}` });
      if (!c.nullable && !has.notNull) add({ kind: 'nullability', column: c.column, expected: 'NOT NULL', actual: 'NULL', message: `${where} allows NULL but ${c.field} is not nullable: add NOT NULL, or declare nullable: true` });
      if (c.nullable && has.notNull) add({ kind: 'nullability', column: c.column, expected: 'NULL', actual: 'NOT NULL', message: `${where} is NOT NULL but ${c.field} is declared nullable: inserts of null would fail` });
    }
    const pk = found.primaryKey;
    if ((pk ?? []).length !== table.primaryKey.length || !sameSet(pk ?? [], table.primaryKey)) {
      add({ kind: 'primary-key', expected: `(${table.primaryKey.join(', ')})`, actual: pk && `(${pk.join(', ')})`, message: `${meta.table} has ${pk ? `primary key (${pk.join(', ')})` : 'no primary key'}, the definition's key is ${table.primaryKey.length > 0 ? `(${table.primaryKey.join(', ')})` : 'none (primaryKey: [])'}` });
    }
    for (const fk of table.foreignKeys) {
      const matches = found.foreignKeys.some((f) => f.targetTable === fk.targetTable && sameList(f.columns, fk.columns) && sameList(f.targetColumns, fk.targetColumns));
      if (!matches) {
        add({ kind: 'missing-foreign-key', column: fk.columns.join(', '), expected: `(${fk.columns.join(', ')}) → ${fk.target} (${fk.targetColumns.join(', ')})`, message: `${meta.table} (${fk.columns.join(', ')}) has no foreign key to ${fk.target} (${fk.targetColumns.join(', ')})` });
      }
    }
    for (const u of table.unique) {
      if (!found.unique.some((cols) => sameSet(cols, u.columns))) {
        add({ kind: 'missing-unique-index', column: u.columns.join(', '), expected: `UNIQUE (${u.columns.join(', ')})`, message: `${meta.table} has no unique index on (${u.columns.join(', ')}) for index ${u.name}: create it, or drop unique: true` });
      }
    }
    if (table.sequence) {
      const { name, increment } = table.sequence;
      if (found.sequenceIncrement === undefined) add({ kind: 'missing-sequence', expected: `sequence ${name}`, message: `sequence ${name} for ${meta.name}'s ids does not exist: create it, or name the existing one (col.id({ sequence: { name } }))` });
      else if (increment !== undefined && found.sequenceIncrement !== increment) {
        add({ kind: 'sequence-increment', expected: `INCREMENT ${increment}`, actual: `INCREMENT ${found.sequenceIncrement}`, message: `sequence ${name} increments by ${found.sequenceIncrement}, the definition expects ${increment} (cellar allocates by the real increment either way)` });
      }
    }
    if (table.identity) {
      const { column, always } = table.identity;
      const kind = found.columns.get(column)?.identity ?? '';
      // OVERRIDING SYSTEM VALUE also works on BY DEFAULT: only ALWAYS without `always: true` breaks inserts.
      if (kind === '' || (kind === 'a' && !always)) {
        const actual = kind === '' ? 'no identity' : 'GENERATED ALWAYS';
        add({ kind: 'identity', column, expected: always ? 'GENERATED ALWAYS AS IDENTITY' : 'GENERATED BY DEFAULT AS IDENTITY', actual, message: `${meta.table}.${column} is ${kind === '' ? 'not an identity column' : 'GENERATED ALWAYS'}: declare ${kind === '' ? 'the key as it is (col.id() with its sequence, or assigned)' : 'col.identity({ always: true })'}` });
      }
    }
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
