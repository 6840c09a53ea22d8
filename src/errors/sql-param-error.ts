import { CellarError } from './cellar-error.js';

/** Named parameters `{name}` used in SQL were not supplied, or a value cannot be sent. */
export class SqlParamError extends CellarError {
  readonly code = 'SQL_PARAM' as const;

  constructor(message: string) {
    super(message);
  }

  /** A string parameter (or a string inside an array or JSON parameter) holds a NUL character. */
  static nul(): SqlParamError {
    return new SqlParamError('a parameter contains a NUL character (\\u0000), which PostgreSQL text cannot hold; remove it or send the value as bytea');
  }

  /** Text in SQL code that looks like a `{name}` placeholder but is not one. */
  static badPlaceholder(text: string, sql: string): SqlParamError {
    return new SqlParamError(`"${text}" in the SQL is not a parameter: names are {name} with a letter or _ first, then letters, digits or _ (and braces have no other use outside strings) in: ${excerpt(sql)}`);
  }

  /** Parameters given that the SQL does not use (a typo, or a leftover). */
  static unused(names: readonly string[], sql: string): SqlParamError {
    return new SqlParamError(`parameter${names.length > 1 ? 's' : ''} ${names.map((n) => `{${n}}`).join(', ')} ${names.length > 1 ? 'are' : 'is'} not used in: ${excerpt(sql)}; remove ${names.length > 1 ? 'them' : 'it'} or fix the name`);
  }

  /** Every `{name}` the SQL uses that the params object lacks. */
  static missing(names: readonly string[], sql: string): SqlParamError {
    return new SqlParamError(
      `missing SQL parameter${names.length > 1 ? 's' : ''} ${names.map((n) => `{${n}}`).join(', ')} in: ${excerpt(sql)}; ` +
        `pass them in the params object`,
    );
  }
}

function excerpt(sql: string): string {
  return sql.length > 120 ? `${sql.slice(0, 117)}...` : sql;
}
