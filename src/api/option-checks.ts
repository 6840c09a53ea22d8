import { ValidationError } from '../errors/validation-error.js';

/** `DatabaseOptions.copyInsertsFrom`: a whole number of rows ≥ 1, or false; anything else is refused at open. */
export function checkCopyThreshold(value: number | false | undefined): void {
  if (value === undefined || value === false || (Number.isSafeInteger(value) && value >= 1)) return;
  throw new ValidationError(`copyInsertsFrom takes a whole number of rows ≥ 1, or false for never; got ${String(value)}`);
}

/** `DatabaseOptions.pooler`: one of the three modes; a typo would silently keep session state behind PgBouncer. */
export function checkPooler(value: unknown): void {
  if (value === undefined || value === 'none' || value === 'session' || value === 'transaction') return;
  throw new ValidationError(`pooler takes 'none', 'session' or 'transaction'; got ${JSON.stringify(value)}`);
}
