import { appendAll } from '../sql/chunks.js';

/**
 * The tables the current transaction wrote, so that a commit can invalidate exactly their cache tags
 * and a read can tell whether it would see uncommitted data. Raw SQL (`execute`) may write anything,
 * so it marks the transaction as having written everything.
 */
export class TransactionWrites {
  readonly #tables = new Set<string>();
  readonly #changedRows = new Map<string, string[]>();
  #unknown = false;

  /** A flush wrote this table. */
  wrote(table: string): void {
    this.#tables.add(table);
  }

  /** Rows of a cached entity were updated or deleted (their cached copies must go at commit). */
  changedRows(table: string, ids: readonly string[]): void {
    const list = this.#changedRows.get(table);
    if (list) appendAll(list, ids);
    else this.#changedRows.set(table, ids.slice());
  }

  /** Updated or deleted rows per cached table, by their row-cache keys (`KeyMeta.cacheKeyOfRow`). */
  get rows(): ReadonlyMap<string, readonly string[]> {
    return this.#changedRows;
  }

  /** Raw SQL ran that may have written any table. */
  wroteUnknown(): void {
    this.#unknown = true;
  }

  /** Whether the transaction wrote the table (any table, when none is named). */
  has(table?: string): boolean {
    return this.#unknown || (this.#tables.size > 0 && (table === undefined || this.#tables.has(table)));
  }

  /** What a commit must invalidate: the tables written, or `'all'` after raw SQL. */
  get written(): readonly string[] | 'all' {
    return this.#unknown ? 'all' : [...this.#tables];
  }

  /** The transaction ended. */
  reset(): void {
    this.#tables.clear();
    this.#changedRows.clear();
    this.#unknown = false;
  }
}
