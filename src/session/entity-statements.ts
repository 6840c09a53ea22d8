import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import { quoteIdentifier as q } from '../schema/naming.js';

/**
 * The SQL cellar generates for one entity, built once per entity and reused: column lists, and the
 * batched insert/update/delete statements that take one array parameter per column through unnest
 * (so PostgreSQL's 65,535 bind-parameter limit never applies, and the plan is the same for any row count).
 */
export class EntityStatements {
  readonly table: string;
  /** `"id", "doc_number", …` in column order. */
  readonly selectList: string;
  /** `SELECT <all columns> FROM <table> t` — rows come back in `meta.columns` order. */
  readonly selectFrom: string;
  /** `t."id" = ANY($1::int8[])`: rows by an array of ids (one parameter, any count). */
  readonly whereIdIn: string;
  readonly insert: string;
  readonly delete: string;
  /** The ids of an array that exist: `SELECT id … WHERE id = ANY($1)`. */
  readonly existingIds: string;
  readonly #updates = new Map<string, string>();

  constructor(readonly meta: EntityMeta) {
    this.table = q(meta.table);
    this.selectList = meta.columns.map((c) => `t.${q(c.column)}`).join(', ');
    this.selectFrom = `SELECT ${this.selectList} FROM ${this.table} t`;
    const all = meta.columns;
    this.insert =
      `INSERT INTO ${this.table} (${all.map((c) => q(c.column)).join(', ')}) ` +
      `SELECT * FROM unnest(${all.map((c, i) => `$${i + 1}::${c.castType}[]`).join(', ')})`;
    const id = q(meta.id.column);
    this.whereIdIn = `t.${id} = ANY($1::int8[])`;
    this.existingIds = `SELECT t.${id} FROM ${this.table} t WHERE ${this.whereIdIn}`;
    const version = meta.versionIndex >= 0 ? q((meta.columns[meta.versionIndex] as ColumnMeta).column) : undefined;
    // Deletes return the ids they did NOT delete (normally none): an optimistic-lock failure then
    // names exactly the stale or vanished rows, which the state after the statement cannot tell.
    // NOT EXISTS, not NOT IN: an anti-join stays linear (and may spill) where NOT IN turns quadratic
    // once its hash no longer fits in work_mem.
    this.delete = version
      ? `WITH u AS (SELECT * FROM unnest($1::int8[], $2::int4[]) AS u(id, v)), ` +
        `w AS (DELETE FROM ${this.table} t USING u WHERE t.${id} = u.id AND t.${version} = u.v RETURNING t.${id} AS id) ` +
        `SELECT u.id FROM u WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.id = u.id)`
      : `WITH w AS (DELETE FROM ${this.table} t WHERE ${this.whereIdIn} RETURNING t.${id} AS id) ` +
        `SELECT u.id FROM unnest($1::int8[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.id = u.id)`;
  }

  /**
   * `UPDATE … FROM unnest(…)` writing only `columns`. With a version column it also bumps the version
   * (checked against the old one) and is wrapped to return the ids it did not update.
   */
  update(columns: readonly number[]): string {
    const key = columns.join(',');
    let sql = this.#updates.get(key);
    if (sql) return sql;
    const { meta } = this;
    const cols = columns.map((i) => meta.columns[i] as ColumnMeta);
    const id = q(meta.id.column);
    const sets = cols.map((c, i) => `${q(c.column)} = u.c${i}`);
    const arrays = ['$1::int8[]', ...cols.map((c, i) => `$${i + 2}::${c.castType}[]`)];
    const names = ['id', ...cols.map((_, i) => `c${i}`)];
    let where = `t.${id} = u.id`;
    if (meta.versionIndex >= 0) {
      const version = q((meta.columns[meta.versionIndex] as ColumnMeta).column);
      sets.push(`${version} = t.${version} + 1`);
      arrays.push(`$${cols.length + 2}::int4[]`);
      names.push('v');
      where += ` AND t.${version} = u.v`;
      // A versioned update returns the ids it did not update (normally none), as deletes do.
      sql =
        `WITH u AS (SELECT * FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})), ` +
        `w AS (UPDATE ${this.table} t SET ${sets.join(', ')} FROM u WHERE ${where} RETURNING t.${id} AS id) ` +
        `SELECT u.id FROM u WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.id = u.id)`;
    } else sql = `UPDATE ${this.table} t SET ${sets.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')}) WHERE ${where}`;
    this.#updates.set(key, sql);
    return sql;
  }
}

const cache = new WeakMap<EntityMeta, EntityStatements>();

/** The statements of an entity (built on first use). */
export function statementsFor(meta: EntityMeta): EntityStatements {
  let statements = cache.get(meta);
  if (!statements) {
    statements = new EntityStatements(meta);
    cache.set(meta, statements);
  }
  return statements;
}
