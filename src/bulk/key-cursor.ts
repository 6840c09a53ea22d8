import { type Connection, USER_SQL } from '../db/connection.js';
import { UsageError } from '../errors/usage-error.js';
import { LIMITS } from '../sql/limits.js';
import type { UnitOfWork } from '../session/unit-of-work.js';
import type { KeySource } from './key-pager.js';

let cursorNumber = 0;

/**
 * The key stream of a `chunkedQuery`: a `WITH HOLD` cursor on a connection of its own.
 *
 * Why this design: the job's handler may `flush(true)`, `commit()` or even `rollback()` the session
 * between chunks, and a cursor in the session's own transaction would not survive a commit or a
 * rollback. The cursor is declared on a second pooled connection and its transaction committed at
 * once, which makes PostgreSQL materialize the key set then: the job processes exactly the keys the
 * query returned when the job started, and no snapshot is held open for hours (vacuum is not held
 * back). Between FETCHes that connection is idle, never "idle in transaction". It is closed and
 * released on success, on error and on early stop.
 */
export class KeyCursor implements KeySource {
  readonly #name = `cellar_keys_${++cursorNumber}`;
  #connection: Connection | undefined;
  #statements = 0;
  /** Keys fetched and not yet handed out (from `#at`). */
  #ahead: unknown[][] = [];
  #at = 0;
  #exhausted = false;

  private constructor(private readonly uow: UnitOfWork) {}

  /** Declares the cursor over `sql` (which must return the keys in its first columns). */
  static async open(uow: UnitOfWork, sql: string, values: readonly unknown[]): Promise<KeyCursor> {
    const cursor = new KeyCursor(uow);
    const connection = await uow.tx.acquireExtraConnection();
    cursor.#connection = connection;
    try {
      await connection.begin();
      await cursor.#send(`DECLARE ${cursor.#name} NO SCROLL CURSOR WITH HOLD FOR ${sql}`, values);
      await connection.commit();
    } catch (e) {
      await cursor.close();
      throw e;
    }
    return cursor;
  }

  /**
   * The next `n` key rows (the key columns, in key order); fewer (or none) at the end. Keys are
   * fetched ahead, at least `LIMITS.keysPerFetch` at a time (a few hundred KB): a job of small chunks
   * pays one FETCH per many chunks, not one per chunk, and memory stays flat.
   */
  async next(n: number): Promise<unknown[][]> {
    const buffered = this.#ahead.length - this.#at;
    if (buffered < n && !this.#exhausted) {
      const want = Math.max(n, LIMITS.keysPerFetch) - buffered;
      const rows = (await this.#send(`FETCH ${want} FROM ${this.#name}`)).rows;
      this.#exhausted = rows.length < want;
      this.#ahead = buffered > 0 ? this.#ahead.slice(this.#at).concat(rows) : rows;
      this.#at = 0;
    }
    const out = this.#ahead.slice(this.#at, this.#at + n);
    this.#at += out.length;
    return out;
  }

  /** Closes the cursor and releases the connection. Safe to call twice. */
  async close(): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    this.#connection = undefined;
    let broken = false;
    try {
      await connection.rollback();
      await this.#sendOn(connection, `CLOSE ${this.#name}`);
    } catch {
      broken = true; // the server will drop the cursor with the connection
    } finally {
      connection.release(broken);
      this.uow.tx.countStatements(this.#statements);
      this.#statements = 0;
    }
  }

  #send(sql: string, values: readonly unknown[] = []): Promise<{ rows: unknown[][] }> {
    const connection = this.#connection;
    if (!connection) throw new UsageError('the key cursor of this chunkedQuery is closed; start the job again');
    return this.#sendOn(connection, sql, values);
  }

  async #sendOn(connection: Connection, sql: string, values: readonly unknown[] = []): Promise<{ rows: unknown[][] }> {
    this.#statements++;
    return connection.queryArrays(sql, values, USER_SQL); // DECLARE names a cursor per job: never prepared
  }
}
