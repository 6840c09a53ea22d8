/** Counters of one session, read through `session.stats`. */
export interface SessionStats {
  /** SQL statements sent (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE excluded). Assert on it to catch N+1. */
  readonly statements: number;
  /** Rows read from the database into the transaction cache. */
  readonly rowsLoaded: number;
  /** Rows written by flushes (inserted + updated + deleted). */
  readonly rowsWritten: number;
  /** Reads answered from the transaction cache without a statement (`load`/`find`/`loadMany` hits, `byParent`/`byKey` of loaded keys). */
  readonly cacheHits: number;
  /** Cells (rows × columns) held in the transaction cache now. */
  readonly cells: number;
  /** Most cells held at once since the session began: how close a job came to `cellLimit`. */
  readonly peakCells: number;
  /** Flushes that wrote something. */
  readonly flushes: number;
  /** Time spent writing in those flushes, in milliseconds. */
  readonly flushTimeMs: number;
  /** Commits that succeeded but whose after-commit work (shared-cache invalidation) failed; each is logged at warn. */
  readonly afterCommitFailures: number;
  /** Attempts of the same `db.transaction` call that failed and were retried before this session began (0 on the first run). */
  readonly retries: number;
}

/** The mutable counters behind {@link SessionStats}. */
export class SessionCounters {
  rowsLoaded = 0;
  rowsWritten = 0;
  cacheHits = 0;
  flushes = 0;
  flushTimeMs = 0;
  afterCommitFailures = 0;
  retries = 0;
  /** Statements of connections this session already released. */
  statementsBefore = 0;
}
