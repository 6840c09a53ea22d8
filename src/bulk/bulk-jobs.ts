import type { Database } from '../api/database.js';
import type { SqlParams } from '../api/session.js';
import { UsageError } from '../errors/usage-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity } from '../schema/entity.js';
import { bindNamedParams, compileNamedSql } from '../sql/named-params.js';
import { encodeParam } from '../sql/param-encoding.js';
import { BulkJob } from './bulk-job.js';
import { COUNT_PLANNED, DROP_JOB, FIND_JOB, INSERT_JOB, JOB_PLAN_LOCK, JOB_TABLES_EXIST, JOB_TABLES_SQL, LOCK_JOB_NAME, LOCK_PLANNING, planChunksSql } from './job-sql.js';
import { inJobTransaction, type JobQuery } from './job-transaction.js';

/** What a distributed job processes: the `chunkedQuery` job, stored under a name. */
export interface JobDefinition<E extends AnyEntity = AnyEntity> {
  /** The entity whose rows the handler receives. */
  readonly entity: E;
  /** Keys per chunk (each chunk is claimed, loaded and committed as one transaction). */
  readonly chunkSize: number;
  /** SQL whose first column(s) yield the entity's primary keys, with `{name}` parameters; run once, when the job is planned. */
  readonly sql: string;
  /** The values of `sql`'s `{name}` parameters (stored with the job: the same job must be opened with the same ones). */
  readonly params?: SqlParams;
  /** Failed attempts after which a chunk is left failed (default 3). */
  readonly maxAttempts?: number;
}

/**
 * The job repository in the database (Spring Batch's JobRepository, the original platform's chunked
 * batch process): jobs planned once into chunks in cellar's own tables, `cellar_job` and
 * `cellar_job_chunk`, worked by any number of processes on any machines. The tables are created on
 * first use (or by a migration running {@link BulkJobs.tablesSql}).
 *
 * Why `new BulkJobs(db)` rather than `db.jobs`: the Database lives in a layer below the bulk
 * processing it would have to import (docs/architecture.md); this mirrors `new BulkProcess(session)`.
 *
 * @example
 * ```ts
 * const job = await new BulkJobs(db).open('reprice-2026-12', { entity: DocLine, chunkSize: 5000,
 *   sql: 'select id from doc_line where id_item = any({items})', params: { items } });
 * await job.work(async (rops, info, s) => { for (const r of rops) r.set('qty', '0'); });
 * console.log(await job.status());   // { chunks: { total, done, failed, running, pending }, rows, … }
 * ```
 */
export class BulkJobs {
  #tablesChecked = false;

  constructor(private readonly db: Database) {}

  /** The DDL of the job tables (idempotent), for a migration when the application's role may not create tables. */
  static tablesSql(): string {
    return JOB_TABLES_SQL;
  }

  /**
   * The job named `name`: planned now when no job of that name exists — the key query runs once and
   * its keys are split into chunks in key order, in one statement on the server — or the stored one
   * when it does, which must have the same definition (`VALIDATION` otherwise; drop it or pick a new
   * name). Any number of processes may open the same job at once: one plans, the others wait for it.
   */
  async open<E extends AnyEntity>(name: string, definition: JobDefinition<E>): Promise<BulkJob<E>> {
    const { entity, chunkSize, sql } = definition;
    const maxAttempts = definition.maxAttempts ?? 3;
    if (typeof name !== 'string' || name.length === 0) throw new ValidationError('jobs.open: a job needs a non-empty name');
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`jobs.open("${name}"): chunkSize must be a whole number ≥ 1, got ${chunkSize}`);
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new ValidationError(`jobs.open("${name}"): maxAttempts must be a whole number ≥ 1, got ${maxAttempts}`);
    if (!this.db.entities.includes(entity)) throw UsageError.notRegistered(entity.meta.name);
    const compiled = compileNamedSql(sql);
    const values = bindNamedParams(compiled, definition.params ?? {}, encodeParam);
    const stored = JSON.stringify({ entity: entity.meta.name, sql, params: values, chunkSize, maxAttempts }, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    const job = await inJobTransaction(this.db, async (q) => {
      await this.#ensureTables(q);
      await q(LOCK_JOB_NAME, [JOB_PLAN_LOCK, name]);
      const [found] = await q(FIND_JOB, [name, stored]);
      if (found) {
        if (found[2] !== true) {
          throw new ValidationError(`bulk job "${name}" exists with another definition (${found[1] as string}); drop it with jobs.drop("${name}") or open a job of a new name`);
        }
        return new BulkJob(this.db, entity, { id: found[0] as number, name, maxAttempts: found[3] as number });
      }
      const [inserted] = await q(INSERT_JOB, [name, entity.meta.name, stored, chunkSize, maxAttempts]);
      const id = inserted?.[0] as number;
      await q(planChunksSql(compiled.text, entity.meta.key.columns, values.length + 1), [...values, id, chunkSize]);
      await q(COUNT_PLANNED, [id]);
      return new BulkJob(this.db, entity, { id, name, maxAttempts });
    });
    this.#tablesChecked = true; // only once committed: a rolled-back open may have rolled the tables back too
    return job;
  }

  /** Deletes the job and its chunks (a running worker of it fails at its next done-mark). True when there was one. */
  async drop(name: string): Promise<boolean> {
    return inJobTransaction(this.db, async (q) => {
      if (!(await this.#tablesExist(q))) return false;
      return (await q(`${DROP_JOB} RETURNING 1`, [name])).length > 0;
    });
  }

  async #tablesExist(q: JobQuery): Promise<boolean> {
    return (await q(JOB_TABLES_EXIST, []))[0]?.[0] === true;
  }

  /** Creates the job tables when they are missing, serialized across processes by an advisory lock. */
  async #ensureTables(q: JobQuery): Promise<void> {
    if (this.#tablesChecked) return;
    if (!(await this.#tablesExist(q))) {
      await q(LOCK_PLANNING, [JOB_PLAN_LOCK, 0]);
      for (const statement of JOB_TABLES_SQL.split(';\n')) await q(statement, []);
    }
  }
}
