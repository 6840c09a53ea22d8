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

  /** A field name that the entity does not declare. */
  static unknownField(entity: string, field: string): ValidationError {
    return new ValidationError(
      `${entity} has no field "${field}"; check the spelling against its defineEntity() columns`,
      entity,
      field,
    );
  }
}
