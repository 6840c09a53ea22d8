import type { BeginOptions, Connection } from '../db/connection.js';
import type { ConnectionPool } from '../db/connection-pool.js';

/**
 * The one pooled connection of a session: taken at the first statement and kept until the session
 * closes, with the transaction begun lazily (concurrent first statements share one BEGIN). It also
 * counts transaction boundaries, so a cursor can tell that its transaction ended, and keeps the
 * statement count of connections it dropped.
 */
export class SessionConnection {
  #connection: Promise<Connection> | undefined;
  #current: Connection | undefined;
  #beginning: Promise<void> | undefined;
  #boundaries = 0;
  #statementsOfDropped = 0;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly options: BeginOptions,
  ) {}

  /** The connection, if one is held now. */
  get current(): Connection | undefined {
    return this.#current;
  }

  /** Statements sent over every connection this session held. */
  get statements(): number {
    return this.#statementsOfDropped + (this.#current?.statements ?? 0);
  }

  /** Changes whenever a transaction begins or ends. */
  get boundaries(): number {
    return this.#boundaries;
  }

  /** Records that the transaction ended (COMMIT or ROLLBACK sent). */
  transactionEnded(): void {
    this.#boundaries++;
  }

  /** The connection inside an open transaction: acquired and BEGIN sent as needed. */
  async inTransaction(): Promise<Connection> {
    this.#connection ??= this.pool.acquire().then(
      (c) => (this.#current = c),
      (e: unknown) => {
        this.#connection = undefined;
        throw e;
      },
    );
    const connection = await this.#connection;
    if (!connection.inTransaction) {
      this.#beginning ??= connection.begin(this.options).then(
        () => {
          this.#boundaries++;
          this.#beginning = undefined;
        },
        (e: unknown) => {
          this.#beginning = undefined;
          throw e;
        },
      );
      await this.#beginning;
    }
    return connection;
  }

  /** Returns the connection to the pool (destroyed when `broken`); the next statement takes a new one. */
  drop(broken: boolean): void {
    const connection = this.#current;
    if (!connection) return;
    this.#statementsOfDropped += connection.statements;
    connection.release(broken);
    this.#connection = undefined;
    this.#current = undefined;
  }
}
