import { CellarError } from './cellar-error.js';

/**
 * Loading or inserting would push the session's transaction cache past its `cellLimit`.
 * Raised before the rows are materialized, so memory never overshoots.
 */
export class CellLimitError extends CellarError {
  readonly code = 'CELL_LIMIT' as const;

  constructor(
    /** Cells (rows × columns) held when the request came. */
    readonly held: number,
    /** Cells the request would have added. */
    readonly requested: number,
    /** The configured limit. */
    readonly limit: number,
  ) {
    super(
      `the session holds ${held} cells and this would add ${requested}, past the cell limit of ${limit}; ` +
        `process in batches and call flush(true) or commit() between them, or raise cellLimit`,
    );
  }
}
