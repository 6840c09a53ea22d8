import { CellarError } from './cellar-error.js';

/**
 * An API was used in a way it does not support (a decorator on something that is not a method, a
 * cache that is not there, two classes claiming one cache namespace). Fix the calling code; nothing
 * was changed.
 */
export class UsageError extends CellarError {
  readonly code = 'USAGE' as const;

  constructor(message: string) {
    super(message);
  }

  /** `@cached` on a member that is not a method. */
  static cachedNotAMethod(member: string): UsageError {
    return new UsageError(`@cached applies to methods; ${member} is not one`);
  }

  /** A `@cached` method whose instance has no shared cache. */
  static cachedWithoutCache(owner: string, member: string): UsageError {
    return new UsageError(`@cached ${owner}.${member}: the instance has no \`cache\` (a SharedCache such as db.cache); expose one or pass { cache: (self) => … }`);
  }

  /** Two different classes would share cached results under one name. */
  static cachedNamespaceTaken(namespace: string): UsageError {
    return new UsageError(
      `@cached: two different classes cache under "${namespace}" (same class and method name), so they would share results; give one @cached({ namespace: '…' }) a name of its own`,
    );
  }
}
