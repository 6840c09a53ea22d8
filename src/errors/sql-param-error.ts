import { CellarError } from './cellar-error.js';

/** Named parameters `{name}` used in SQL were not supplied, or a value cannot be sent. */
export class SqlParamError extends CellarError {
  readonly code = 'SQL_PARAM' as const;

  constructor(message: string) {
    super(message);
  }

  /** Every `{name}` the SQL uses that the params object lacks. */
  static missing(names: readonly string[], sql: string): SqlParamError {
    const excerpt = sql.length > 120 ? `${sql.slice(0, 117)}...` : sql;
    return new SqlParamError(
      `missing SQL parameter${names.length > 1 ? 's' : ''} ${names.map((n) => `{${n}}`).join(', ')} in: ${excerpt}; ` +
        `pass them in the params object`,
    );
  }
}
