import { ValidationError } from '../errors/validation-error.js';
import { arrayElementType } from '../schema/ddl.js';
import type { EntityMeta } from '../schema/entity-meta.js';
import { quoteIdentifier as q, snakeCase } from '../schema/naming.js';
import { arrayLiteral } from '../sql/param-encoding.js';

/** One column of the derived filter table `f`. */
interface FilterColumn {
  readonly field: string;
  /** Column name in `f`: the field's snake_case, like entity columns. */
  readonly column: string;
  /** PostgreSQL element type of the column's array. */
  readonly type: string;
  readonly normalize: (value: unknown) => unknown;
}

/**
 * The filter records of `findObjects` as a derived table `f`: one typed array parameter per field,
 * `unnest(…) WITH ORDINALITY`, so any number of filters costs one parameter per field. A field's
 * type comes from the entity's column of the same name (values are validated as for `set()`), else
 * from its values; a field whose type cannot be decided is refused before any SQL.
 */
export class FilterTable {
  readonly columns: readonly FilterColumn[];

  constructor(meta: EntityMeta, filters: readonly Readonly<Record<string, unknown>>[]) {
    const fields: string[] = [];
    const seen = new Set<string>();
    for (const filter of filters) for (const field of Object.keys(filter)) if (!seen.has(field)) (seen.add(field), fields.push(field));
    if (fields.length === 0) throw new ValidationError('findObjects: the filter records have no fields');
    this.columns = fields.map((field) => {
      const column = meta.field(field);
      if (column) return { field, column: snakeCase(field), type: arrayElementType(column), normalize: column.normalize };
      return { field, column: snakeCase(field), type: typeFromValues(field, filters), normalize: (v: unknown) => v };
    });
  }

  /** `unnest($a::t[], …) WITH ORDINALITY AS f(col, …, __ord)` with named placeholders `{__f0}`… */
  get fromClause(): string {
    const arrays = this.columns.map((c, i) => `{__f${i}}::${c.type}[]`).join(', ');
    return `unnest(${arrays}) WITH ORDINALITY AS f(${this.columns.map((c) => q(c.column)).join(', ')}, __ord)`;
  }

  /** The named parameters for a chunk of filters (values validated; missing fields are NULL). */
  params(filters: readonly Readonly<Record<string, unknown>>[]): Record<string, string> {
    const params: Record<string, string> = {};
    this.columns.forEach((c, i) => {
      params[`__f${i}`] = arrayLiteral(
        filters.map((f) => {
          const v = f[c.field];
          return v === null || v === undefined ? null : c.type === 'jsonb' ? JSON.stringify(v) : c.normalize(v);
        }),
      );
    });
    return params;
  }
}

function typeFromValues(field: string, filters: readonly Readonly<Record<string, unknown>>[]): string {
  const types = new Set<string>();
  for (const filter of filters) {
    const v = filter[field];
    if (v === null || v === undefined) continue;
    if (typeof v === 'bigint') types.add('int8');
    else if (typeof v === 'number') types.add(Number.isSafeInteger(v) ? 'int8' : Number.isFinite(v) ? 'float8' : 'invalid');
    else if (typeof v === 'string') types.add('text');
    else if (typeof v === 'boolean') types.add('bool');
    else if (v instanceof Date) types.add('timestamptz');
    else types.add('invalid');
  }
  if (types.has('int8') && types.has('float8') && types.size === 2) return 'float8';
  const [only] = types;
  if (types.size === 1 && only !== 'invalid') return only as string;
  const why = types.size === 0 ? 'every value is null' : `its values are of mixed or unsupported types (${[...types].join(', ')})`;
  throw new ValidationError(`findObjects: cannot decide the SQL type of filter field "${field}": ${why}; name it after an entity field or give it bigint, number, string, boolean or Date values`);
}
