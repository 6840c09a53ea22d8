import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity, FieldInput, FieldOf } from '../schema/entity.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import { arrayLiteral, encodeParam } from '../sql/param-encoding.js';
import { statementsFor } from '../session/entity-statements.js';

/** Operators of a field filter; several in one object are ANDed. */
export interface FilterOperators<V> {
  readonly in?: readonly V[];
  readonly ne?: V;
  readonly lt?: V;
  readonly lte?: V;
  readonly gt?: V;
  readonly gte?: V;
  /** SQL LIKE pattern (text fields). */
  readonly like?: string;
  /** `true`: IS NULL; `false`: IS NOT NULL. */
  readonly isNull?: boolean;
}

/** `where` filters: field → a value (equality; `null` means IS NULL) or operators. Fields are ANDed. */
export type WhereFilters<E extends AnyEntity> = { readonly [K in FieldOf<E>]?: FieldInput<E, K> | null | FilterOperators<NonNullable<FieldInput<E, K>>> };

const OPERATORS = new Set(['in', 'ne', 'lt', 'lte', 'gt', 'gte', 'like', 'isNull']);
const COMPARISONS: Readonly<Record<string, string>> = { ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/** SQL conditions over alias `t` with named placeholders, plus the values for them. */
export interface WhereSql {
  readonly conditions: string[];
  readonly params: Record<string, unknown>;
}

/**
 * Turns `where` filters into SQL. Every value passes the column's validation first (a bad value is a
 * `VALIDATION` error and nothing is sent) and is sent as a typed parameter, never spliced into SQL.
 * Placeholders are named `__w<n>` so that they cannot collide with a `whereSql` fragment's names.
 */
export function filtersToSql(meta: EntityMeta, filters: Readonly<Record<string, unknown>>, into: WhereSql): void {
  for (const [field, filter] of Object.entries(filters)) {
    if (filter === undefined) continue;
    const column = meta.field(field);
    if (!column) throw ValidationError.unknownField(meta.name, field);
    const ref = statementsFor(meta).column(column);
    if (filter === null) into.conditions.push(`${ref} IS NULL`);
    else if (isOperatorObject(filter)) operatorsToSql(meta, column, ref, filter, into);
    else into.conditions.push(`${ref} = ${param(into, column, normalize(column, filter))}`);
  }
}

function operatorsToSql(meta: EntityMeta, column: ColumnMeta, ref: string, ops: Readonly<Record<string, unknown>>, into: WhereSql): void {
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    if (op === 'isNull') into.conditions.push(`${ref} IS ${value ? '' : 'NOT '}NULL`);
    else if (op === 'in') {
      if (!Array.isArray(value)) throw ValidationError.badValue(meta.name, column.field, '`in` takes an array');
      const name = nextName(into);
      into.params[name] = arrayLiteral(value.map((v) => normalize(column, v)));
      into.conditions.push(`${ref} = ANY({${name}}::${column.castType}[])`);
    } else if (op === 'like') {
      if (typeof value !== 'string') throw ValidationError.badValue(meta.name, column.field, '`like` takes a string pattern');
      if (value.includes('\u0000')) throw ValidationError.badValue(meta.name, column.field, 'the `like` pattern contains a NUL character (\\u0000), which PostgreSQL text cannot hold');
      const name = nextName(into);
      into.params[name] = value;
      into.conditions.push(`${ref}::text LIKE {${name}}`);
    } else into.conditions.push(`${ref} ${COMPARISONS[op] as string} ${param(into, column, normalize(column, value))}`);
  }
}

function param(into: WhereSql, column: ColumnMeta, value: unknown): string {
  const name = nextName(into);
  into.params[name] = column.type.toParam ? column.type.toParam(value) : encodeParam(value);
  return `{${name}}::${column.castType}`;
}

function nextName(into: WhereSql): string {
  return `__w${Object.keys(into.params).length}`;
}

function normalize(column: ColumnMeta, value: unknown): unknown {
  if (value === null) throw new ValidationError(`${column.field}: compare with null through { isNull: true }`, undefined, column.field);
  return column.normalize(value);
}

function isOperatorObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => OPERATORS.has(k));
}
