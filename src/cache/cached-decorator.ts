import { UsageError } from '../errors/usage-error.js';
import { type RememberOptions, SharedCache } from './shared-cache.js';
import { encodeValue } from './value-codec.js';

/** Options of {@link cached}. */
export interface CachedOptions extends RememberOptions {
  /** Where the cache is: by default the instance's `cache` property (a `SharedCache`, e.g. `db.cache`). */
  readonly cache?: (instance: object) => SharedCache;
  /**
   * The name results are cached under, instead of `<class name>.<method>`: needed when two classes
   * share a name (the keys must be the same in every process, so cellar cannot make one up).
   */
  readonly namespace?: string;
}

/** The class that owns each namespace in this process: a second class claiming it is an error. */
const owners = new Map<string, unknown>();

/**
 * Caches an async method's results in the shared cache, by class name, method and arguments (encoded
 * with their types), with single flight, tags and refresh-ahead as `remember` does. For services whose
 * results depend only on their arguments and on data the tags describe. Two different classes with
 * the same name and method would share results, so the second is refused (`USAGE`) when it is
 * defined unless one names a `namespace`; a missing cache rejects the call with `USAGE`.
 *
 * @example
 * ```ts
 * @injectable()
 * class Rates {
 *   constructor(@inject(CellarTokens.Database) private readonly db: Database) {}
 *   get cache() { return this.db.cache; }
 *
 *   @cached({ ttlMs: 60_000, tags: [tableTag('rate')] })
 *   async rateOf(code: string): Promise<string> { … }
 * }
 * ```
 */
export function cached(options: CachedOptions) {
  return function decorate<T extends (...args: never[]) => Promise<unknown>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T> {
    const original = descriptor.value;
    if (typeof original !== 'function') throw UsageError.cachedNotAMethod(String(propertyKey));
    // The declaring class (the prototype's constructor; the class itself for a static method).
    const owner = typeof target === 'function' ? target : target.constructor;
    const namespace = options.namespace ?? `${owner.name}.${String(propertyKey)}`;
    const claimed = owners.get(namespace);
    if (claimed !== undefined && claimed !== owner) throw UsageError.cachedNamespaceTaken(namespace);
    owners.set(namespace, owner);
    const wrapped = function (this: object, ...args: never[]): Promise<unknown> {
      try {
        const cache = options.cache?.(this) ?? cacheOf(this, propertyKey);
        return cache.remember(`method:${namespace}:${encodeValue(args)}`, options, () => original.apply(this, args));
      } catch (e) {
        return Promise.reject(e);
      }
    };
    return { ...descriptor, value: wrapped as unknown as T };
  };
}

function cacheOf(instance: object, propertyKey: string | symbol): SharedCache {
  const candidate = (instance as { cache?: unknown }).cache;
  if (candidate instanceof SharedCache) return candidate;
  throw UsageError.cachedWithoutCache(instance.constructor.name, String(propertyKey));
}
