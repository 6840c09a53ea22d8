import { CellarError } from './cellar-error.js';

/**
 * A value was refused before anything was written: wrong type, out of range, too long, not in the
 * enum, an impossible date, NaN, a NUL character in text. The session is unchanged.
 */
export class ValidationError extends CellarError {
  readonly code = 'VALIDATION' as const;

  constructor(
    message: string,
    /** The entity concerned, when there is one. */
    readonly entity?: string,
    /** The field (property name, not column name) concerned, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }

  /** A field value that does not fit its column. */
  static badValue(entity: string, field: string, problem: string): ValidationError {
    return new ValidationError(`${entity}.${field}: ${problem}`, entity, field);
  }

  /** An `orderBy` direction that is neither asc nor desc. */
  static badSortDirection(entity: string, field: string, direction: unknown): ValidationError {
    return new ValidationError(`orderBy ${entity}.${field}: direction ${JSON.stringify(direction)} is neither 'asc' nor 'desc' (any case)`, entity, field);
  }

  /** An `orderBy` nulls placement that is neither first nor last. */
  static badNullsOrder(entity: string, field: string, nulls: unknown): ValidationError {
    return new ValidationError(`orderBy ${entity}.${field}: nulls ${JSON.stringify(nulls)} is neither 'first' nor 'last'`, entity, field);
  }

  /** A field name that the entity does not declare. */
  static unknownField(entity: string, field: string): ValidationError {
    return new ValidationError(
      `${entity} has no field "${field}"; check the spelling against its defineEntity() columns`,
      entity,
      field,
    );
  }
}
