import { CellarError } from './cellar-error.js';

/** An entity definition is invalid. Every problem found is listed at once in `problems`. */
export class DefinitionError extends CellarError {
  readonly code = 'DEFINITION' as const;

  constructor(readonly problems: readonly string[]) {
    super(`invalid entity definition:\n  - ${problems.join('\n  - ')}`);
  }
}
