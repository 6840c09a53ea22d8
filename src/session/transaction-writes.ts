/**
 * The tables the current transaction wrote, so that a commit can invalidate exactly their cache tags
 * and a read can tell whether it would see uncommitted data. Raw SQL (`execute`) may write anything,
 * so it marks the transaction as having written everything.
 */
export class TransactionWrites {
  readonly #tables = new Set<string>();
  #unknown = false;

  /** A flush wrote this table. */
  wrote(table: string): void {
    this.#tables.add(table);
  }

  /** Raw SQL ran that may have written any table. */
  wroteUnknown(): void {
    this.#unknown = true;
  }

  /** Whether the transaction wrote the table (any table, when none is named). */
  has(table?: string): boolean {
    return this.#unknown || (table === undefined ? this.#tables.size > 0 : this.#tables.has(table));
  }

  /** What a commit must invalidate: the tables written, or `'all'` after raw SQL. */
  get written(): readonly string[] | 'all' {
    return this.#unknown ? 'all' : [...this.#tables];
  }

  /** The transaction ended. */
  reset(): void {
    this.#tables.clear();
    this.#unknown = false;
  }
}
