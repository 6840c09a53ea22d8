import { schemaStatements } from '../schema/ddl.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import { quoteIdentifier } from '../schema/naming.js';
import type { ConnectionPool } from './connection-pool.js';

/**
 * `db.schema`: creates the tables, sequences, foreign keys and indexes of the registered entities.
 *
 * @example
 * ```ts
 * await db.schema.create();      // idempotent: safe at every start-up
 * console.log(db.schema.sql());  // the DDL, for a migration tool
 * ```
 */
export class SchemaManager {
  readonly #pool: ConnectionPool;
  readonly #registry: EntityRegistry;

  /** @internal `db.schema` is made by `Database.open`. */
  constructor(pool: ConnectionPool, registry: EntityRegistry) {
    this.#pool = pool;
    this.#registry = registry;
  }

  /** The DDL as one script, statements separated by `;`. */
  sql(): string {
    return `${schemaStatements(this.#registry).join(';\n\n')};\n`;
  }

  /** Runs the DDL in one transaction. Existing tables are left as they are (no migration). */
  async create(): Promise<void> {
    await this.#runInTransaction(schemaStatements(this.#registry));
  }

  /** Drops the entities' tables and sequences (CASCADE). For tests and demos; never run it in production. */
  async drop(): Promise<void> {
    const tables = [...this.#registry.writeOrder].reverse();
    await this.#runInTransaction([
      ...tables.map((m) => `DROP TABLE IF EXISTS ${quoteIdentifier(m.table)} CASCADE`),
      ...tables.map((m) => `DROP SEQUENCE IF EXISTS ${quoteIdentifier(m.sequence)} CASCADE`),
    ]);
  }

  async #runInTransaction(statements: readonly string[]): Promise<void> {
    await this.#pool.withConnection(async (connection) => {
      await connection.begin();
      // Concurrent start-ups would race on CREATE ... IF NOT EXISTS; serialize them on one advisory lock.
      await connection.query('SELECT pg_advisory_xact_lock(7262100501)');
      for (const statement of statements) await connection.query(statement);
      await connection.commit();
    });
  }
}
