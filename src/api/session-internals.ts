import type { UnitOfWork } from '../session/unit-of-work.js';

/**
 * Where a `Session` keeps its unit of work: a symbol, so that the api layer reaches it while the
 * public type of `Session` does not show it.
 */
export const unitOfWorkOf = Symbol('cellar.unitOfWork');

/** Anything that carries a unit of work under {@link unitOfWorkOf}. */
export interface HasUnitOfWork {
  /** @internal */
  readonly [unitOfWorkOf]: UnitOfWork;
}
