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
  /**
   * Rows by arrays of keys, one parameter per key column, any count: `t."id" = ANY($1::int8[])`, or
   * `(t."w_id", t."d_id") IN (SELECT * FROM unnest($1::int4[], $2::int4[]))` for a composite key.
   */
  readonly whereIdIn: string;
  /** `ORDER BY` of the key: `t."id"`, or `t."w_id", t."d_id"`. */
  readonly keyOrder: string;
  readonly insert: string;
  /** `COPY t (every column) FROM STDIN`: the insert of a large group (see `copyPieces`). */
  readonly copyInsert: string;
  readonly delete: string;
  /** The keys of arrays of keys that exist: `SELECT <key columns> … WHERE <whereIdIn>`. */
  readonly existingIds: string;
  /** `SELECT count(*) AS n FROM <table> t WHERE ` — an object query's count, completed by its conditions. */
  readonly countWhere: string;
  /**
   * Reserves `$1` blocks of ids from the key's sequence, each row `(increment, nextval)`: the
   * sequence's real increment is read in the same statement, so a block is exactly what one
   * `nextval` hands out, whatever the sequence steps by. Undefined for an assigned key.
   */
  readonly nextIds: string | undefined;
  /** The sequence the key's values come from, as SQL: the declared one, or an identity column's own. */
  readonly sequence: string;
  /**
   * One key's rows: `t."w_id" = $1::int4 AND t."d_id" = $2::int2` — plain equalities, which the
   * planner turns into one index probe (the `IN (SELECT * FROM unnest(…))` of {@link whereIdIn} costs
   * a join even for a single key).
   */
  readonly whereOneId: string;
  readonly #updates = new Map<string, string>();
  readonly #selects = new Map<string, string>();
  readonly #columnIn = new Map<number, string>();

  constructor(readonly meta: EntityMeta) {
    this.table = meta.sqlTable;
    this.selectList = meta.columns.map((c) => `t.${q(c.column)}`).join(', ');
    this.selectFrom = `SELECT ${this.selectList} FROM ${this.table} t`;
    const all = meta.columns;
    const overriding = meta.key.generated?.spec.always === true ? 'OVERRIDING SYSTEM VALUE ' : '';
    this.insert =
      `INSERT INTO ${this.table} (${all.map((c) => q(c.column)).join(', ')}) ${overriding}` +
      `SELECT * FROM unnest(${all.map((c, i) => `$${i + 1}::${c.castType}[]`).join(', ')})`;
    // COPY writes the values given to an identity column, ALWAYS or not (like OVERRIDING SYSTEM VALUE).
    this.copyInsert = `COPY ${this.table} (${all.map((c) => q(c.column)).join(', ')}) FROM STDIN`;
    const key = meta.key.columns;
    this.whereIdIn = this.whereKeysIn(key);
    this.whereOneId = key.map((c, i) => `${this.column(c)} = $${i + 1}::${c.castType}`).join(' AND ');
    this.keyOrder = key.map((c) => this.column(c)).join(', ');
    this.existingIds = `SELECT ${this.keyOrder} FROM ${this.table} t WHERE ${this.whereIdIn}`;
    this.countWhere = `SELECT count(*) AS n FROM ${this.table} t WHERE `;
    const generated = meta.key.generated;
    this.sequence =
      meta.key.source === 'identity' && generated
        ? `pg_get_serial_sequence(${sqlText(meta.sqlTable)}, ${sqlText(generated.column)})::regclass`
        : `${sqlText(meta.sqlSequence)}::regclass`;
    this.nextIds = generated && `SELECT s.seqincrement, nextval(s.seqrelid::regclass) FROM pg_sequence s, generate_series(1, $1::int4) WHERE s.seqrelid = ${this.sequence}`;
    const version = meta.versionIndex >= 0 ? q((meta.columns[meta.versionIndex] as ColumnMeta).column) : undefined;
    const keyArrays = key.map((c, i) => `$${i + 1}::${c.castType}[]`);
    const keyNames = key.map((_, i) => `k${i}`);
    const keyJoin = (a: string, b: string): string => key.map((c, i) => `${a}.${a === 't' ? q(c.column) : `k${i}`} = ${b}.k${i}`).join(' AND ');
    const returning = key.map((c, i) => `t.${q(c.column)} AS k${i}`).join(', ');
    // Deletes return the keys they did NOT delete (normally none): an optimistic-lock failure then
    // names exactly the stale or vanished rows, which the state after the statement cannot tell.
    // NOT EXISTS, not NOT IN: an anti-join stays linear (and may spill) where NOT IN turns quadratic
    // once its hash no longer fits in work_mem.
    const uList = keyNames.map((n) => `u.${n}`).join(', ');
    this.delete = version
      ? `WITH u AS (SELECT * FROM unnest(${[...keyArrays, `$${key.length + 1}::int4[]`].join(', ')}) AS u(${[...keyNames, 'v'].join(', ')})), ` +
        `w AS (DELETE FROM ${this.table} t USING u WHERE ${keyJoin('t', 'u')} AND t.${version} = u.v RETURNING ${returning}) ` +
        `SELECT ${uList} FROM u WHERE NOT EXISTS (SELECT 1 FROM w WHERE ${keyJoin('w', 'u')})`
      : `WITH w AS (DELETE FROM ${this.table} t WHERE ${this.whereIdIn} RETURNING ${returning}) ` +
        `SELECT ${uList} FROM unnest(${keyArrays.join(', ')}) AS u(${keyNames.join(', ')}) WHERE NOT EXISTS (SELECT 1 FROM w WHERE ${keyJoin('w', 'u')})`;
  }

  /**
   * `SELECT <all columns> FROM <table> t WHERE <where>`, the same string object for the same `where`
   * (so the statement's name is found without hashing a new text each time); at most 500 kept.
   */
  selectWhere(where: string): string {
    let sql = this.#selects.get(where);
    if (sql === undefined) {
      sql = `${this.selectFrom} WHERE ${where}`;
      if (this.#selects.size < 500) this.#selects.set(where, sql);
    }
    return sql;
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

  /** `t.a = $1::ta AND t.b = $2::tb ORDER BY <key>`: the rows of one key of an index. */
  whereKey(columns: readonly ColumnMeta[]): string {
    return `${columns.map((c, i) => `${this.column(c)} = $${i + 1}::${c.castType}`).join(' AND ')} ORDER BY ${this.keyOrder}`;
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
   * (checked against the old one) and is wrapped to return the ids it did not update. Columns in
   * `incremented` are written `f = t.f + delta`: then it is {@link updateReturning}.
   */
  update(columns: readonly number[], incremented: readonly number[] = []): string {
    if (incremented.length > 0) return this.updateReturning(columns, incremented);
    const signature = columns.join(',');
    let sql = this.#updates.get(signature);
    if (sql) return sql;
    const { keyCols, arrays, names, sets, where } = this.#updateParts(columns, incremented);
    if (this.meta.versionIndex >= 0) {
      const returning = keyCols.map((c, i) => `t.${q(c.column)} AS k${i}`).join(', ');
      const match = keyCols.map((_, i) => `w.k${i} = u.k${i}`).join(' AND ');
      // A versioned update returns the keys it did not update (normally none), as deletes do.
      sql =
        `WITH u AS (SELECT * FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})), ` +
        `w AS (UPDATE ${this.table} t SET ${sets.join(', ')} FROM u WHERE ${where} RETURNING ${returning}) ` +
        `SELECT ${keyCols.map((_, i) => `u.k${i}`).join(', ')} FROM u WHERE NOT EXISTS (SELECT 1 FROM w WHERE ${match})`;
    } else sql = `UPDATE ${this.table} t SET ${sets.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')}) WHERE ${where}`;
    this.#updates.set(signature, sql);
    return sql;
  }

  /**
   * The update of {@link update} returning each updated row's key (`k0…`) and the new values of the
   * incremented columns (`r0…`): rows it does not return did not match (vanished, or a stale version).
   * A plain `UPDATE`, so it can also be one part of a combined flush statement.
   */
  updateReturning(columns: readonly number[], incremented: readonly number[] = []): string {
    const signature = `${columns.join(',')}+${incremented.join(',')}`;
    let sql = this.#updates.get(signature);
    if (sql) return sql;
    const { keyCols, arrays, names, sets, where } = this.#updateParts(columns, incremented);
    const returning = [...keyCols.map((c, i) => `t.${q(c.column)} AS k${i}`), ...incremented.map((i, j) => `t.${q((this.meta.columns[i] as ColumnMeta).column)} AS r${j}`)];
    sql = `UPDATE ${this.table} t SET ${sets.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')}) WHERE ${where} RETURNING ${returning.join(', ')}`;
    this.#updates.set(signature, sql);
    return sql;
  }

  #updateParts(columns: readonly number[], incremented: readonly number[]): { keyCols: readonly ColumnMeta[]; arrays: string[]; names: string[]; sets: string[]; where: string } {
    const { meta } = this;
    const cols = columns.map((i) => meta.columns[i] as ColumnMeta);
    const keyCols = meta.key.columns;
    const k = keyCols.length;
    const sets = cols.map((c, i) => (incremented.includes(c.index) ? `${q(c.column)} = t.${q(c.column)} + u.c${i}` : `${q(c.column)} = u.c${i}`));
    const arrays = [...keyCols.map((c, i) => `$${i + 1}::${c.castType}[]`), ...cols.map((c, i) => `$${i + k + 1}::${c.castType}[]`)];
    const names = [...keyCols.map((_, i) => `k${i}`), ...cols.map((_, i) => `c${i}`)];
    let where = keyCols.map((c, i) => `t.${q(c.column)} = u.k${i}`).join(' AND ');
    if (meta.versionIndex >= 0) {
      const version = q((meta.columns[meta.versionIndex] as ColumnMeta).column);
      sets.push(`${version} = t.${version} + 1`);
      arrays.push(`$${cols.length + k + 1}::int4[]`);
      names.push('v');
      where += ` AND t.${version} = u.v`;
    }
    return { keyCols, arrays, names, sets, where };
  }

  /**
   * One row's increment now (`incrementAndGet`): `$1…$k` the key, then the deltas of `incremented`
   * (and the expected version last, when there is one); returns the new values.
   */
  incrementNow(incremented: readonly number[]): string {
    const signature = `now:${incremented.join(',')}`;
    let sql = this.#updates.get(signature);
    if (sql) return sql;
    const { meta } = this;
    const keyCols = meta.key.columns;
    const cols = incremented.map((i) => meta.columns[i] as ColumnMeta);
    const sets = cols.map((c, i) => `${q(c.column)} = t.${q(c.column)} + $${keyCols.length + i + 1}::${c.castType}`);
    let where = keyCols.map((c, i) => `t.${q(c.column)} = $${i + 1}::${c.castType}`).join(' AND ');
    if (meta.versionIndex >= 0) {
      const version = q((meta.columns[meta.versionIndex] as ColumnMeta).column);
      sets.push(`${version} = t.${version} + 1`);
      where += ` AND t.${version} = $${keyCols.length + cols.length + 1}::int4`;
    }
    sql = `UPDATE ${this.table} t SET ${sets.join(', ')} WHERE ${where} RETURNING ${cols.map((c) => `t.${q(c.column)}`).join(', ')}`;
    this.#updates.set(signature, sql);
    return sql;
  }
}

/** A string literal of SQL text (identifiers inside it quoted already). */
function sqlText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
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
