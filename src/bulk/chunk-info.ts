/** What a `chunkedQuery` handler and progress callback learn about the job so far. */
export interface ChunkInfo<K = unknown> {
  /** 0-based index of the chunk. */
  readonly chunkIndex: number;
  /** Keys in this chunk. */
  readonly chunkKeys: number;
  /** Rows handed to handlers so far, this chunk included. */
  readonly rowsDone: number;
  /** The last (largest) key of this chunk: an id (`KeyOf` of the entity; a tuple for a composite key). */
  readonly lastKey: K;
  /** Keys the query yields in all, when `count: true` was given. */
  readonly total: number | undefined;
  /** Milliseconds since the job started. */
  readonly elapsedMs: number;
}

/** What `chunkedQuery` returns when the job ends. */
export interface ChunkedQueryResult<K = unknown> {
  readonly chunks: number;
  readonly rows: number;
  /** The last key processed, or undefined when the query yielded none. */
  readonly lastKey: K | undefined;
  readonly elapsedMs: number;
}

/** What a distributed job's handler learns about its chunk (`rowsDone` counts this worker's rows). */
export interface JobChunkInfo<K = unknown> extends ChunkInfo<K> {
  /** The job's name. */
  readonly job: string;
  /** 1 on the chunk's first attempt, 2 on its first retry, … */
  readonly attempt: number;
  /** This worker's name (host:pid unless given), recorded with the chunk's done-mark. */
  readonly worker: string;
}

/** A distributed job's progress after one of this worker's chunks committed. */
export interface JobProgress<K = unknown> extends JobChunkInfo<K> {
  /** Rows done in the whole job, by every worker, as of this chunk's commit. */
  readonly jobRowsDone: number;
}
