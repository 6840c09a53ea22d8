import { CellLimitError } from '../errors/cell-limit-error.js';

/**
 * Counts the cells (rows × columns) materialized in the transaction cache, inserted rows included,
 * and refuses a request that would pass the limit before anything is materialized.
 */
export class CellCounter {
  #cells = 0;
  #peak = 0;

  constructor(readonly limit: number) {}

  /** Cells currently held. */
  get cells(): number {
    return this.#cells;
  }

  /** Most cells held at once since the session began (clears included). */
  get peak(): number {
    return this.#peak;
  }

  /** Adds `cells`, or throws `CellLimitError` and adds nothing. */
  reserve(cells: number): void {
    if (this.#cells + cells > this.limit) throw new CellLimitError(this.#cells, cells, this.limit);
    this.#cells += cells;
    if (this.#cells > this.#peak) this.#peak = this.#cells;
  }

  /** Gives back cells reserved for rows that were not materialized after all. */
  release(cells: number): void {
    this.#cells = Math.max(0, this.#cells - cells);
  }

  reset(): void {
    this.#cells = 0;
  }
}
