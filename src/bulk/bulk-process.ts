import type { Rop } from '../api/rop.js';
import type { Session, SqlParams } from '../api/session.js';
import { unitOfWorkOf } from '../api/session-internals.js';
import { USER_SQL } from '../db/connection.js';
import { BulkJobError } from '../errors/bulk-job-error.js';
import { showKey } from '../errors/show-key.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyEntity, KeyInput, KeyOf } from '../schema/entity.js';
import type { ColumnMeta } from '../schema/entity-meta.js';
import { bindNamedParams, compileNamedSql } from '../sql/named-params.js';
import { encodeParam } from '../sql/param-encoding.js';
import type { ChunkInfo, ChunkedQueryResult } from './chunk-info.js';
import { findObjects, type FindObjectsQuery, type FindResult } from './find-objects.js';
import { KeyCursor } from './key-cursor.js';
import { KeyPager, type KeySource } from './key-pager.js';
import { type ProgressReporter, silentProgress, terminalProgress } from './progress-bar.js';

/** Options of {@link BulkProcess.chunkedQuery}. */
export interface ChunkedQueryOptions<E extends AnyEntity = AnyEntity> {
  /** Called after every chunk's handler. */
  readonly onProgress?: (info: ChunkInfo<KeyOf<E>>) => void;
  /** Draw a terminal progress bar (only when stdout is a TTY). */
  readonly progress?: boolean;
  /** Count the keys first (one `count(*)`), for a total and an ETA. */
  readonly count?: boolean;
  /** Continue a job after this key: only keys greater than it are processed (a tuple, compared column by column, for a composite key). */
  readonly resumeAfter?: KeyInput<E>;
}

/** The job of {@link BulkProcess.chunkedQuery} as one object: what to read and how to go through it. */
export interface ChunkedQueryJob<E extends AnyEntity = AnyEntity> extends ChunkedQueryOptions<E> {
  /** Keys per chunk (each chunk is loaded with one statement). */
  readonly chunkSize: number;
  /** SQL whose first column yields the entity's primary keys (its first columns, in key order, for a composite key), with `{name}` parameters. */
  readonly sql: string;
  readonly params?: SqlParams;
}

/**
 * Mass processing in flat memory (the original platform's `Btk_BulkProcessPkg`).
 *
 * @example
 * ```ts
 * await new BulkProcess(s).chunkedQuery(DocLine, { chunkSize: 5000, sql: 'select id from doc_line where id_item = any({items})',
 *   params: { items } }, async (rops) => {
 *     for (const r of rops) r.set('qty', '0');
 *     await s.commit();            // or flush(true): the key stream survives both
 *   });
 * ```
 */
export class BulkProcess {
  constructor(private readonly session: Session) {}

  /**
   * Streams the keys `sql` yields (its first column: primary keys of `entity`), in ascending order,
   * and hands them to `handler` in chunks of `chunkSize` rops, each chunk loaded with one statement
   * (DESIGN rule 9). The handler should `flush(true)` or `commit()` per chunk to keep memory flat.
   * A handler error stops the job and is rethrown as `BULK_JOB` with the chunk index and the last
   * committed key; the key cursor and its connection are released however the job ends.
   */
  chunkedQuery<E extends AnyEntity>(entity: E, job: ChunkedQueryJob<E>, handler: (rops: Rop<E>[], info: ChunkInfo<KeyOf<E>>) => unknown): Promise<ChunkedQueryResult<KeyOf<E>>>;
  /** The original platform's positional form: `chunkedQuery(entity, chunkSize, sql, params, handler, options?)`. */
  chunkedQuery<E extends AnyEntity>(
    entity: E,
    chunkSize: number,
    sql: string,
    params: SqlParams,
    handler: (rops: Rop<E>[], info: ChunkInfo<KeyOf<E>>) => unknown,
    options?: ChunkedQueryOptions<E>,
  ): Promise<ChunkedQueryResult<KeyOf<E>>>;
  chunkedQuery<E extends AnyEntity>(
    entity: E,
    sizeOrJob: number | ChunkedQueryJob<E>,
    sqlOrHandler: string | ((rops: Rop<E>[], info: ChunkInfo<KeyOf<E>>) => unknown),
    params?: SqlParams,
    positionalHandler?: (rops: Rop<E>[], info: ChunkInfo<KeyOf<E>>) => unknown,
    positionalOptions: ChunkedQueryOptions<E> = {},
  ): Promise<ChunkedQueryResult<KeyOf<E>>> {
    if (typeof sizeOrJob === 'object') {
      const { chunkSize, sql, params: jobParams, ...options } = sizeOrJob;
      return this.#run(entity, chunkSize, sql, jobParams ?? {}, sqlOrHandler as (rops: Rop<E>[], info: ChunkInfo<KeyOf<E>>) => unknown, options);
    }
    return this.#run(entity, sizeOrJob, sqlOrHandler as string, params ?? {}, positionalHandler as (rops: Rop<E>[], info: ChunkInfo<KeyOf<E>>) => unknown, positionalOptions);
  }

  async #run<E extends AnyEntity>(
    entity: E,
    chunkSize: number,
    sql: string,
    params: SqlParams,
    handler: (rops: Rop<E>[], info: ChunkInfo<KeyOf<E>>) => unknown,
    options: ChunkedQueryOptions<E>,
  ): Promise<ChunkedQueryResult<KeyOf<E>>> {
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`chunkedQuery: chunkSize must be a whole number ≥ 1, got ${chunkSize}`);
    const uow = this.session[unitOfWorkOf];
    const { log } = uow.tx.telemetry;
    const api = this.session.api(entity);
    const { key } = entity.meta;
    const resume = options.resumeAfter === undefined ? undefined : key.valuesOf(key.normalize(options.resumeAfter));
    const compiled = compileNamedSql(sql);
    const values = bindNamedParams(compiled, params, encodeParam);
    // The key columns as k0, k1 …: a composite key streams, orders and resumes as a row value.
    const names = key.columns.map((_, i) => `k.k${i}`);
    const row = names.length === 1 ? (names[0] as string) : `(${names.join(', ')})`;
    const placeholders = key.columns.map((c: ColumnMeta, i) => `$${values.length + i + 1}::${c.castType}`);
    const resumeCondition = resume === undefined ? '' : `${row} > ${placeholders.length === 1 ? placeholders[0] : `(${placeholders.join(', ')})`}`;
    const after = resumeCondition ? ` WHERE ${resumeCondition}` : '';
    const keyValues = resume === undefined ? values : [...values, ...resume.map(encodeParam)];
    const source = `(${compiled.text}) AS k(${key.columns.map((_, i) => `k${i}`).join(', ')})`;
    const started = performance.now();
    const total = options.count
      ? Number((await uow.tx.run((c) => c.queryArrays(`SELECT count(*) FROM ${source}${after}`, keyValues, USER_SQL))).rows[0]?.[0])
      : undefined;
    const progress: ProgressReporter = options.progress ? terminalProgress(entity.meta.name) : silentProgress;
    // Behind a transaction pooler a WITH HOLD cursor could not be found again: page by key instead.
    const cursor: KeySource = uow.tx.transactionPooling
      ? new KeyPager(uow, source, resumeCondition, names, key.columns, keyValues)
      : await KeyCursor.open(uow, `SELECT ${names.join(', ')} FROM ${source}${after} ORDER BY ${names.join(', ')}`, keyValues);
    let chunkIndex = 0;
    let rows = 0;
    let lastKey: KeyOf<E> | undefined;
    let lastCommittedKey: KeyOf<E> | undefined;
    progress.start(total);
    try {
      for (;;) {
        let keys: KeyOf<E>[];
        let rops: Rop<E>[];
        let info: ChunkInfo<KeyOf<E>>;
        const commits = uow.tx.commitCount;
        // Whatever fails — the key fetch, the chunk's load, the handler, a server gone between
        // chunks — stops the job as BULK_JOB with the chunk and the last committed key to resume after.
        try {
          keys = (await cursor.next(chunkSize)).map((r) => key.idOfResult(r) as KeyOf<E>);
          if (keys.length === 0) break;
          rops = (await api.findMany(keys as readonly KeyInput<E>[])).filter((r): r is Rop<E> => r !== undefined);
          rows += rops.length;
          lastKey = keys[keys.length - 1] as KeyOf<E>;
          info = { chunkIndex, chunkKeys: keys.length, rowsDone: rows, lastKey, total, elapsedMs: performance.now() - started };
          await handler(rops, info);
        } catch (e) {
          throw new BulkJobError(entity.meta.name, chunkIndex, uow.tx.commitCount > commits ? lastKey : lastCommittedKey, e);
        }
        if (uow.tx.commitCount > commits) lastCommittedKey = lastKey;
        progress.update(info);
        options.onProgress?.(info);
        if (log.enabled('info')) {
          const rowsPerSecond = Math.round((rows * 1000) / Math.max(info.elapsedMs, 1));
          log.write('info', { event: 'bulk-chunk', entity: entity.meta.name, ...info, lastKey: showKey(lastKey), rowsPerSecond }, `cellar bulk ${entity.meta.name}: chunk ${chunkIndex}, ${rows} rows`);
        }
        chunkIndex++;
        if (keys.length < chunkSize) break;
      }
    } finally {
      progress.stop();
      await cursor.close();
    }
    const result = { chunks: chunkIndex, rows, lastKey, elapsedMs: performance.now() - started };
    if (log.enabled('info')) log.write('info', { event: 'bulk-done', entity: entity.meta.name, ...result, lastKey: showKey(lastKey) }, `cellar bulk ${entity.meta.name}: done, ${rows} rows`);
    return result;
  }

  /**
   * Finds, for every filter record, the rows of `entity` joined to it under `sqlConditions` (DESIGN
   * rule 10): the records become a derived table `f` (columns: the fields in snake_case), one
   * statement per chunk of filters; found rows enter the transaction cache; `handler` runs once per
   * filter, in filter order, with `filter`, `rop` (first match), `rops` and `getRopOrElseUpdate`.
   *
   * @example
   * ```ts
   * await new BulkProcess(s).findObjects({ entity: ItemStatus, filters: rows,
   *   sqlConditions: 't.id_item = f.id_item' }, async (res) => {
   *   const rop = await res.getRopOrElseUpdate(() => s.api(ItemStatus).insert({ idItem: res.filter.idItem, status: res.filter.status }));
   *   if (rop.get('status') !== res.filter.status) rop.set('status', res.filter.status);
   * });
   * ```
   */
  findObjects<E extends AnyEntity, F extends Readonly<Record<string, unknown>>>(
    query: FindObjectsQuery<E, F>,
    handler: (result: FindResult<E, F>) => unknown,
  ): Promise<void> {
    return findObjects(this.session, query, handler);
  }
}
