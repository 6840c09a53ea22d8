import { ValidationError } from '../errors/validation-error.js';
import type { AnyColumnSpec, ValueOf } from '../schema/column-spec.js';
import { snakeCase } from '../schema/naming.js';
import { columnTypeOf } from '../schema/types/registry.js';

/** Columns of a relational select: field name → `col.*` spec. The SQL column is the field's snake_case. */
export type Shape = Readonly<Record<string, AnyColumnSpec>>;

/** A row typed by its shape. */
export type ShapeRow<S extends Shape> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** A result column as node-postgres describes it. */
export interface ResultField {
  readonly name: string;
}

/**
 * Builds the decoder that turns array-mode rows into shape-typed objects. Each shape field reads the
 * result column of its snake_case name (or its exact name, for quoted aliases) and is converted to
 * the shape's type, so `count(*)` (int8) can be read as `col.int()` and `sum(x)` as `col.decimal()`.
 */
export function createShapeDecoder<S extends Shape>(shape: S, fields: readonly ResultField[]): (row: readonly unknown[]) => ShapeRow<S> {
  const positions = new Map(fields.map((f, i) => [f.name, i]));
  const readers = Object.entries(shape).map(([key, spec]) => {
    const position = positions.get(snakeCase(key)) ?? positions.get(key);
    if (position === undefined) {
      throw new ValidationError(`select shape field "${key}" has no result column "${snakeCase(key)}"; the query returns ${fields.map((f) => f.name).join(', ')}`);
    }
    return { key, position, convert: converter(key, spec) };
  });
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const r of readers) out[r.key] = r.convert(row[r.position]);
    return out as ShapeRow<S>;
  };
}

function converter(key: string, spec: AnyColumnSpec): (v: unknown) => unknown {
  const convert = kindConverter(spec);
  return (v) => {
    if (v === null || v === undefined) {
      if (spec.nullable) return null;
      throw new ValidationError(`select shape field "${key}" received NULL; declare it nullable, e.g. col.${spec.kind}({ nullable: true })`);
    }
    return convert(v);
  };
}

function kindConverter(spec: AnyColumnSpec): (v: unknown) => unknown {
  const type = columnTypeOf(spec.kind);
  return (v) => type.fromDriver(v, spec);
}
