import type { ColumnMeta } from '../schema/entity-meta.js';

/**
 * Every statement of the distributed bulk jobs, in one place: the job tables and what workers and
 * `status()` send to them.
 *
 * Why plain `FOR UPDATE SKIP LOCKED` on a chunk table of our own (docs/distributed-jobs.md): a chunk
 * is claimed by locking its row inside the chunk's own transaction, the one that also carries the
 * handler's writes and the done-mark. A worker that dies loses its connection, PostgreSQL rolls its
 * transaction back and the row lock is gone at once: no lease, no expiry timer, no sweeper, and a
 * chunk is never both done and not done.
 */

/** The advisory-lock class of cellar's jobs: `pg_advisory_xact_lock(JOB_LOCK_BASE + job id, chunk)` marks a running chunk. */
export const JOB_LOCK_BASE = 1_667_591_168; // 'cel\0' as an int4: far from small hand-picked keys
/** The advisory-lock class that serializes planning (`JOB_PLAN_LOCK`, hashtext(name)) and the tables' creation (…, 0). */
export const JOB_PLAN_LOCK = JOB_LOCK_BASE - 1;

/** The job tables (what `BulkJobs.tablesSql()` gives to a migration). */
export const JOB_TABLES_SQL = `CREATE TABLE IF NOT EXISTS cellar_job (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  entity text NOT NULL,
  definition jsonb NOT NULL,
  chunk_size int NOT NULL,
  max_attempts int NOT NULL,
  chunks int NOT NULL DEFAULT 0,
  keys bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS cellar_job_chunk (
  job_id int NOT NULL REFERENCES cellar_job (id) ON DELETE CASCADE,
  n int NOT NULL,
  keys jsonb NOT NULL,
  key_count int NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  rows int,
  last_error text,
  worker text,
  done_at timestamptz,
  PRIMARY KEY (job_id, n)
);`;

export const JOB_TABLES_EXIST = "SELECT to_regclass('cellar_job') IS NOT NULL AND to_regclass('cellar_job_chunk') IS NOT NULL";
export const LOCK_PLANNING = 'SELECT pg_advisory_xact_lock($1, $2)';
export const LOCK_JOB_NAME = 'SELECT pg_advisory_xact_lock($1, hashtext($2))';
/** The job of a name, and whether its stored definition equals `$2` (compared as jsonb: key order does not matter). */
export const FIND_JOB = 'SELECT id, definition::text, definition = $2::jsonb, max_attempts FROM cellar_job WHERE name = $1';
export const INSERT_JOB = 'INSERT INTO cellar_job (name, entity, definition, chunk_size, max_attempts) VALUES ($1, $2, $3::jsonb, $4, $5) RETURNING id';
export const COUNT_PLANNED = `UPDATE cellar_job j SET chunks = c.chunks, keys = c.keys
  FROM (SELECT count(*)::int AS chunks, coalesce(sum(key_count), 0)::int8 AS keys FROM cellar_job_chunk WHERE job_id = $1) c
  WHERE j.id = $1 RETURNING j.chunks, j.keys`;
export const DROP_JOB = 'DELETE FROM cellar_job WHERE name = $1';
export const RETRY_FAILED = "UPDATE cellar_job_chunk SET state = 'pending', attempts = 0 WHERE job_id = $1 AND state = 'failed'";

/**
 * Splits the keys `keySql` yields (its first `keyColumns.length` columns) into chunks of `$chunk`
 * in key order, server-side in one statement: no key travels through the planning process.
 */
export function planChunksSql(keySql: string, keyColumns: readonly ColumnMeta[], firstParam: number): string {
  const k = keyColumns.map((_, i) => `k${i}`);
  const job = `$${firstParam}`;
  const size = `$${firstParam + 1}::int8`;
  return `INSERT INTO cellar_job_chunk (job_id, n, keys, key_count)
SELECT ${job}, ((s.rn - 1) / ${size})::int, jsonb_agg(jsonb_build_array(${k.map((c) => `s.${c}`).join(', ')}) ORDER BY s.rn), count(*)::int
FROM (SELECT ${k.map((c) => `k.${c}`).join(', ')}, row_number() OVER (ORDER BY ${k.map((c) => `k.${c}`).join(', ')}) AS rn FROM (${keySql}) AS k(${k.join(', ')})) s
GROUP BY 2`;
}

/**
 * Claims the first pending chunk nobody holds, marks it running (an advisory lock `status()` can
 * see) and returns its keys, decoded to the key columns' types: one row per key, `n` and `attempts`
 * first. The row lock and the advisory lock live until the chunk's transaction ends.
 */
export function claimChunkSql(keyColumns: readonly ColumnMeta[]): string {
  const keys = keyColumns.map((c, i) => `(e.k->>${i})::${c.castType}`).join(', ');
  return `WITH c AS MATERIALIZED (
  SELECT n, keys, attempts FROM cellar_job_chunk WHERE job_id = $1 AND state = 'pending' ORDER BY n LIMIT 1 FOR UPDATE SKIP LOCKED
)
SELECT c.n, c.attempts, ${keys}
FROM c CROSS JOIN LATERAL (SELECT pg_advisory_xact_lock($2, c.n)) AS running CROSS JOIN LATERAL jsonb_array_elements(c.keys) AS e(k)`;
}

/** The done-mark, in the chunk's own transaction; returns the job's rows done before it (this statement's snapshot). */
export const MARK_DONE = `UPDATE cellar_job_chunk SET state = 'done', rows = $3, worker = $4, done_at = now(), last_error = NULL
  WHERE job_id = $1 AND n = $2
  RETURNING (SELECT coalesce(sum(rows), 0) FROM cellar_job_chunk WHERE job_id = $1 AND state = 'done')::int8`;

/**
 * Records a failed attempt after the chunk's transaction was rolled back. `state = 'pending'` makes
 * it a no-op when another worker finished the chunk meanwhile, or when a commit whose outcome was
 * unknown did commit after all.
 */
export const MARK_FAILED = `UPDATE cellar_job_chunk
  SET attempts = attempts + 1, last_error = $3, worker = $4, state = CASE WHEN attempts + 1 >= $5 THEN 'failed' ELSE 'pending' END
  WHERE job_id = $1 AND n = $2 AND state = 'pending'`;

/** Chunks by state, planned keys, rows done, and the running chunks (advisory locks held by live transactions). */
export const JOB_STATUS = `SELECT count(*)::int,
  count(*) FILTER (WHERE state = 'done')::int,
  count(*) FILTER (WHERE state = 'failed')::int,
  coalesce(sum(key_count), 0)::int8,
  coalesce(sum(rows) FILTER (WHERE state = 'done'), 0)::int8,
  (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::int8 = $2
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
FROM cellar_job_chunk WHERE job_id = $1`;

/** The chunks that used up their attempts, in chunk order. */
export const FAILED_CHUNKS = "SELECT n, attempts, coalesce(last_error, '') FROM cellar_job_chunk WHERE job_id = $1 AND state = 'failed' ORDER BY n";
