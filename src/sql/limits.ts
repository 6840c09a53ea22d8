/**
 * cellar's batch sizes and limits, in one place (the id block of the sequences cellar creates is
 * `ID_BLOCK_SIZE` in src/schema/naming.ts: the DDL needs it below this layer). None is a driver or server limit (array parameters
 * lift PostgreSQL's 65,535 bind parameters); each bounds the work or memory of one statement.
 */
export const LIMITS = Object.freeze({
  /** Default most cells a session's transaction cache may hold (`cellLimit`). */
  cellLimit: 1_000_000,
  /** Default rows per flush write statement (`writeChunkSize`). */
  writeChunkRows: 50_000,
  /** Ids, keys or parent ids sent in one read statement (an int8 array of this size is about 8 MB). */
  keysPerStatement: 500_000,
  /** Ids per statement of `db.cache.preload`. */
  preloadIdsPerStatement: 10_000,
  /** Keys a `chunkedQuery` fetches ahead from its key cursor in one FETCH (at least a chunk's). */
  keysPerFetch: 50_000,
  /** Default filters per `findObjects` statement. */
  findObjectsChunk: 5000,
  /** Default rows of one entity's inserts in a flush from which they go by COPY (`copyInsertsFrom`). */
  copyInsertRows: 10_000,
  /** Most id blocks one round trip reserves (the request grows eightfold from 1 up to this). */
  maxIdBlocksPerRefill: 4096,
  /** How much larger each refill of an id pool is than the one before. */
  idRefillGrowth: 8,
});
