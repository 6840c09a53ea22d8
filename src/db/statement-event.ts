/** What cellar reports for every statement it sends (see `DatabaseOptions.onStatement`). */
export interface StatementEvent {
  /** The SQL text as sent, with `$n` placeholders. */
  readonly sql: string;
  /** The bound parameters as sent (array parameters as PostgreSQL array literals). Do not mutate. */
  readonly params: readonly unknown[];
  /** Rows returned or affected. */
  readonly rowCount: number;
  readonly durationMs: number;
  /** True for BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE, which `stats.statements` does not count. */
  readonly transactionControl: boolean;
}

/** Receives every statement; keep it cheap, it runs on the hot path. */
export type StatementListener = (event: StatementEvent) => void;
