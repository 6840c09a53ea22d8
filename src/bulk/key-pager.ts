import type { ColumnMeta } from '../schema/entity-meta.js';
import { LIMITS } from '../sql/limits.js';
import { encodeParam } from '../sql/param-encoding.js';
import type { UnitOfWork } from '../session/unit-of-work.js';

/** What `chunkedQuery` needs of its key stream: the next keys, and a close that always works. */
export interface KeySource {
  next(n: number): Promise<unknown[][]>;
  close(): Promise<void>;
}

/**
 * The key stream of a `chunkedQuery` behind a pooler in transaction mode, where a `WITH HOLD` cursor
 * would stay on a server connection the next transaction may not get: keys are read a page at a time
 * (`LIMITS.keysPerFetch`), each page the keys greater than the last one handed out, in autocommit on
 * a pooled connection taken for that statement only.
 *
 * The difference to the cursor, documented in docs/bulk-processing.md: each page sees the database as
 * it is then, so keys that appear later (ahead of the job) are processed and keys deleted meanwhile
 * are not; no key is handed out twice, since pages only move forward.
 */
export class KeyPager implements KeySource {
  #ahead: unknown[][] = [];
  #at = 0;
  #last: readonly unknown[] | undefined;
  #exhausted = false;

  /**
   * `source` is `(<user sql>) AS k(k0, …)`, `where` its resume condition (or ''), `names` the key
   * columns `k.k0 …` in order, `values` the parameters `source` and `where` use.
   */
  constructor(
    private readonly uow: UnitOfWork,
    private readonly source: string,
    private readonly where: string,
    private readonly names: readonly string[],
    private readonly keyColumns: readonly ColumnMeta[],
    private readonly values: readonly unknown[],
  ) {}

  async next(n: number): Promise<unknown[][]> {
    const buffered = this.#ahead.length - this.#at;
    if (buffered < n && !this.#exhausted) {
      const want = Math.max(n, LIMITS.keysPerFetch) - buffered;
      const rows = await this.#page(want);
      this.#exhausted = rows.length < want;
      this.#ahead = buffered > 0 ? this.#ahead.slice(this.#at).concat(rows) : rows;
      this.#at = 0;
      const last = rows[rows.length - 1];
      if (last) this.#last = last;
    }
    const out = this.#ahead.slice(this.#at, this.#at + n);
    this.#at += out.length;
    return out;
  }

  async close(): Promise<void> {
    this.#ahead = [];
    this.#exhausted = true;
  }

  async #page(limit: number): Promise<unknown[][]> {
    const conditions = this.where ? [this.where] : [];
    const values = [...this.values];
    if (this.#last) {
      const placeholders = this.keyColumns.map((c, i) => `$${values.length + i + 1}::${c.castType}`);
      values.push(...this.#last.map(encodeParam));
      const row = this.names.length === 1 ? (this.names[0] as string) : `(${this.names.join(', ')})`;
      conditions.push(`${row} > ${placeholders.length === 1 ? placeholders[0] : `(${placeholders.join(', ')})`}`);
    }
    const text = `SELECT ${this.names.join(', ')} FROM ${this.source}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${this.names.join(', ')} LIMIT ${limit}`;
    const result = await this.uow.tx.queryOutsideSession(text, values);
    this.uow.tx.countStatements(1);
    return result.rows;
  }
}
