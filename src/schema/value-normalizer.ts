import { ValidationError } from '../errors/validation-error.js';
import type { AnyColumnSpec } from './column-spec.js';
import { columnTypeOf } from './types/registry.js';

/** Turns a user value into the canonical value cellar stores, or throws `ValidationError`. */
export type Normalizer = (value: unknown) => unknown;

/**
 * Builds the normalizer of one column: NULL handling here, the rest by the column's type. Every
 * value that reaches the database passed through one, so the flush never meets a value PostgreSQL
 * would coerce or reject.
 */
export function createNormalizer(entity: string, field: string, spec: AnyColumnSpec): Normalizer {
  const fail = (problem: string): never => {
    throw ValidationError.badValue(entity, field, problem);
  };
  const convert = columnTypeOf(spec.kind).converter(spec, fail);
  const nullable = spec.nullable;
  return (value) => {
    if (value === null) return nullable ? null : fail('is not nullable; give it a value');
    if (value === undefined) return fail('undefined is not a value; use null for an empty nullable field');
    return convert(value);
  };
}
