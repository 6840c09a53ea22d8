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
  /** `SELECT count(*) AS n FROM <table> t WHERE ` — an object query's count, completed by its conditions. */
  readonly countWhere: string;
  /** Reserves `$2` blocks of ids from the entity's sequence (`$1`, the quoted name: see {@link sequence}). */
  readonly nextIds = 'SELECT nextval($1::regclass) FROM generate_series(1, $2::int4)';
  /** The sequence's name as {@link nextIds} takes it. */
  readonly sequence: string;
  readonly #updates = new Map<string, string>();
  readonly #columnIn = new Map<number, string>();

  constructor(readonly meta: EntityMeta) {
    this.table = meta.sqlTable;
    this.selectList = meta.columns.map((c) => `t.${q(c.column)}`).join(', ');
    this.selectFrom = `SELECT ${this.selectList} FROM ${this.table} t`;
    const all = meta.columns;
    this.insert =
      `INSERT INTO ${this.table} (${all.map((c) => q(c.column)).join(', ')}) ` +
      `SELECT * FROM unnest(${all.map((c, i) => `$${i + 1}::${c.castType}[]`).join(', ')})`;
    const id = q(meta.id.column);
    this.whereIdIn = `t.${id} = ANY($1::int8[])`;
    this.existingIds = `SELECT t.${id} FROM ${this.table} t WHERE ${this.whereIdIn}`;
    this.countWhere = `SELECT count(*) AS n FROM ${this.table} t WHERE `;
    this.sequence = meta.sqlSequence;
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

  /** `t."column"`: a column of the entity's row alias. */
  column(c: ColumnMeta): string {
    return `t.${q(c.column)}`;
  }

  /** An ORDER BY key: `t."column" DESC NULLS LAST`. */
  sortKey(c: ColumnMeta, direction: 'asc' | 'desc', nulls?: 'first' | 'last'): string {
    return `${this.column(c)} ${direction === 'desc' ? 'DESC' : 'ASC'}${nulls ? ` NULLS ${nulls === 'first' ? 'FIRST' : 'LAST'}` : ''}`;
  }

  /** `t."column" = ANY($1::type[])`: rows whose column is any of an array (children of parents, keys). */
  whereColumnIn(c: ColumnMeta): string {
    let sql = this.#columnIn.get(c.index);
    if (sql === undefined) this.#columnIn.set(c.index, (sql = `${this.column(c)} = ANY($1::${c.castType}[])`));
    return sql;
  }

  /** `t.a = $1::ta AND t.b = $2::tb ORDER BY t.id`: the rows of one key of an index. */
  whereKey(columns: readonly ColumnMeta[]): string {
    return `${columns.map((c, i) => `${this.column(c)} = $${i + 1}::${c.castType}`).join(' AND ')} ORDER BY t.${q(this.meta.id.column)}`;
  }

  /** Rows of any of many keys: `= ANY` for one column, `(a, b) IN (SELECT * FROM unnest(…))` for several. */
  whereKeysIn(columns: readonly ColumnMeta[]): string {
    if (columns.length === 1) return this.whereColumnIn(columns[0] as ColumnMeta);
    return `(${columns.map((c) => this.column(c)).join(', ')}) IN (SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.castType}[]`).join(', ')}))`;
  }

  /** `findObjects`: the entity's rows joined to a filter table (`from`, alias `f`) under `conditions`. */
  joinFilters(from: string, conditions: string): string {
    return `SELECT ${this.selectList}, f.__ord::int4 FROM ${from} JOIN ${this.table} t ON (${conditions})`;
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
