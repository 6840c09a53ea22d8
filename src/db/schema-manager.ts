import type { SchemaMismatch } from '../errors/schema-mismatch-error.js';
import { schemaDdl, schemaStatements } from '../schema/ddl.js';
import { type ExpectedTable, expectedSchema } from '../schema/expected-schema.js';
import { type MigrationPlan, migrationPlan } from '../schema/migration-plan.js';
import { type LiveTable, schemaDiff } from '../schema/schema-diff.js';
import { readCatalog } from './catalog-reader.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
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
  readonly #sequencesChanged: () => void;

  /**
   * @internal `db.schema` is made by `Database.open`. `sequencesChanged` is called after a drop or
   * create: ids reserved from the sequences before may no longer be free.
   */
  constructor(
    pool: ConnectionPool,
    registry: EntityRegistry,
    sequencesChanged: () => void = () => undefined,
    /** After every DDL commit: replicas must replay it before they serve this process's reads. */
    private readonly committed: () => void = () => undefined,
  ) {
    this.#pool = pool;
    this.#registry = registry;
    this.#sequencesChanged = sequencesChanged;
  }

  /** The DDL as one script, statements separated by `;`. */
  sql(): string {
    return `${schemaStatements(this.#registry).join(';\n\n')};\n`;
  }

  /**
   * Creates what is missing, in one transaction: schemas, and for each entity whose table does not
   * exist its sequence, table and indexes. A table that exists is left exactly as it is — no index,
   * sequence or constraint is added to a schema cellar did not create — unless `indexExistingTables`
   * asks for the declared and foreign-key indexes on those too.
   */
  async create(options: { readonly indexExistingTables?: boolean } = {}): Promise<void> {
    const { schemas, entities } = schemaDdl(this.#registry);
    await this.#pool.withConnection(async (connection) => {
      await connection.begin();
      // Concurrent start-ups would race on CREATE ... IF NOT EXISTS; serialize them on one advisory lock.
      await connection.query('SELECT pg_advisory_xact_lock(7262100501)');
      for (const statement of schemas) await connection.query(statement);
      const existing = await connection.queryArrays('SELECT to_regclass(t) IS NOT NULL FROM unnest($1::text[]) AS t', [entities.map((e) => e.meta.sqlTable)]);
      const created = entities.filter((_, i) => existing.rows[i]?.[0] !== true);
      for (const e of created) for (const statement of e.create) await connection.query(statement);
      for (const e of options.indexExistingTables ? entities : created) for (const statement of e.indexes) await connection.query(statement);
      await connection.commit();
      this.committed();
    });
    this.#sequencesChanged();
  }

  /**
   * Compares the definitions with the live database — tables, columns, types (length, precision,
   * scale), nullability, primary keys, foreign keys, unique indexes, key sequences and their declared
   * increments, identity columns — and returns every difference (empty when they agree). Reads the
   * catalog only, in one read-only transaction.
   *
   * @example
   * ```ts
   * for (const m of await db.schema.verify()) console.error(m.message);
   * ```
   */
  async verify(): Promise<SchemaMismatch[]> {
    return (await this.#compare()).mismatches;
  }

  /**
   * The migration from the live database to the definitions: `verify()`'s differences as statements
   * (each with the one undoing it), and the live columns no definition declares (dropped,
   * destructive). What `cellar migrate diff` writes; see docs/evolving-the-schema.md.
   */
  async migrationPlan(): Promise<MigrationPlan> {
    const { expected, live, mismatches } = await this.#compare();
    return migrationPlan(this.#registry, expected, live, mismatches);
  }

  async #compare(): Promise<{ expected: ExpectedTable[]; live: Map<string, LiveTable>; mismatches: SchemaMismatch[] }> {
    const expected = expectedSchema(this.#registry);
    return this.#pool.withConnection(async (connection) => {
      await connection.begin({ readOnly: true });
      try {
        const live = await readCatalog(connection, expected);
        return { expected, live, mismatches: schemaDiff(expected, live) };
      } finally {
        await connection.rollback();
      }
    });
  }

  /** Drops the entities' tables and sequences (CASCADE). For tests and demos; never run it in production. */
  async drop(): Promise<void> {
    const tables = [...this.#registry.writeOrder].reverse();
    await this.#runInTransaction([
      ...tables.map((m) => `DROP TABLE IF EXISTS ${m.sqlTable} CASCADE`),
      ...tables.map((m) => `DROP SEQUENCE IF EXISTS ${m.sqlSequence} CASCADE`),
    ]);
    this.#sequencesChanged();
  }

  async #runInTransaction(statements: readonly string[]): Promise<void> {
    await this.#pool.withConnection(async (connection) => {
      await connection.begin();
      // Concurrent start-ups would race on CREATE ... IF NOT EXISTS; serialize them on one advisory lock.
      await connection.query('SELECT pg_advisory_xact_lock(7262100501)');
      for (const statement of statements) await connection.query(statement);
      await connection.commit();
      this.committed();
    });
  }
}
