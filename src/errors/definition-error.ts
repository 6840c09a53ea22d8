import { CellarError } from './cellar-error.js';

/** An entity definition is invalid. Every problem found is listed at once in `problems`. */
export class DefinitionError extends CellarError {
  readonly code = 'DEFINITION' as const;

  constructor(readonly problems: readonly string[]) {
    super(`invalid entity definition:\n  - ${problems.join('\n  - ')}`);
  }

  /** The key's sequence is not there (an identity key whose column is no identity column). */
  static noSequence(entity: string, sequence: string): DefinitionError {
    return new DefinitionError([`${entity}: no sequence found for its key (${sequence}); create it, or declare the key as it is in the database (col.id({ sequence: { name } }), col.identity(), or an assigned key)`]);
  }

  /** The key's sequence counts down: blocks cannot be reserved from it. */
  static descendingSequence(entity: string, sequence: string, increment: bigint): DefinitionError {
    return new DefinitionError([`${entity}: the key's sequence ${sequence} increments by ${increment}; cellar allocates ids only from ascending sequences (INCREMENT ≥ 1)`]);
  }
}
