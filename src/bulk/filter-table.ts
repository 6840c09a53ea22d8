import { ValidationError } from '../errors/validation-error.js';
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
  /** How a value is sent when its type needs more than the driver's encoding (jsonb: its JSON text). */
  readonly toParam?: ((value: unknown) => unknown) | undefined;
}

/**
 * The filter records of `findObjects` as a derived table `f`: one typed array parameter per field,
 * `unnest(…) WITH ORDINALITY`, so any number of filters costs one parameter per field. A field's
 * type comes from the entity's column of the same name (values are validated as for `set()`), else
 * from its values; a field whose type cannot be decided is refused before any SQL.
 */
export class FilterTable {
  /** Every field of the filter records, typed (and their values validated). */
  readonly columns: readonly FilterColumn[];
  /**
   * The columns `sqlConditions` refers to (`f.col`): only these are sent. The handler gets the filter
   * records themselves, so a field the join does not read would be encoded, sent and parsed for nothing.
   */
  readonly sent: readonly FilterColumn[];

  constructor(meta: EntityMeta, filters: readonly Readonly<Record<string, unknown>>[], sqlConditions: string) {
    const fields: string[] = [];
    const seen = new Set<string>();
    // for…in rather than Object.keys: no array per record (the records are plain objects).
    for (const filter of filters) for (const field in filter) if (!seen.has(field) && Object.hasOwn(filter, field)) (seen.add(field), fields.push(field));
    if (fields.length === 0) throw new ValidationError('findObjects: the filter records have no fields');
    this.columns = fields.map((field) => {
      const column = meta.field(field);
      if (column) return { field, column: snakeCase(field), type: column.castType, normalize: column.normalize, toParam: column.type.toParam };
      return { field, column: snakeCase(field), type: typeFromValues(field, filters), normalize: (v: unknown) => v };
    });
    const referenced = this.columns.filter((c) => new RegExp(`\\bf\\s*\\.\\s*"?${escapeRegExp(c.column)}\\b`, 'i').test(sqlConditions));
    // `f.*`, a bare `f` or no reference at all: send every column.
    const wholeRow = /\bf\b(?!\s*\.\s*"?[a-z_])/i.test(sqlConditions);
    this.sent = referenced.length === 0 || wholeRow ? this.columns : referenced;
  }

  /** `unnest($a::t[], …) WITH ORDINALITY AS f(col, …, __ord)` with named placeholders `{__f0}`… */
  get fromClause(): string {
    const arrays = this.sent.map((c, i) => `{__f${i}}::${c.type}[]`).join(', ');
    return `unnest(${arrays}) WITH ORDINALITY AS f(${this.sent.map((c) => q(c.column)).join(', ')}, __ord)`;
  }

  /** The named parameters for a chunk of filters (every field validated; missing fields are NULL). */
  params(filters: readonly Readonly<Record<string, unknown>>[]): Record<string, string> {
    for (const c of this.columns) if (!this.sent.includes(c)) for (const f of filters) normalized(c, f[c.field]);
    const params: Record<string, string> = {};
    this.sent.forEach((c, i) => {
      params[`__f${i}`] = arrayLiteral(filters.map((f) => normalized(c, f[c.field])));
    });
    return params;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function normalized(c: FilterColumn, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const value = c.normalize(v);
  return c.toParam ? c.toParam(value) : value;
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
