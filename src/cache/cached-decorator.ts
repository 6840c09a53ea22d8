import { type RememberOptions, SharedCache } from './shared-cache.js';
import { encodeValue } from './value-codec.js';

/** Options of {@link cached}. */
export interface CachedOptions extends RememberOptions {
  /** Where the cache is: by default the instance's `cache` property (a `SharedCache`, e.g. `db.cache`). */
  readonly cache?: (instance: object) => SharedCache;
}

/**
 * Caches an async method's results in the shared cache, by class, method and arguments (encoded with
 * their types), with single flight, tags and refresh-ahead as `remember` does. For services whose
 * results depend only on their arguments and on data the tags describe.
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
    _target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T> {
    const original = descriptor.value;
    if (typeof original !== 'function') throw new TypeError(`@cached applies to methods; ${String(propertyKey)} is not one`);
    const wrapped = function (this: object, ...args: never[]): Promise<unknown> {
      const cache = options.cache?.(this) ?? cacheOf(this, propertyKey);
      const key = `method:${this.constructor.name}.${String(propertyKey)}:${encodeValue(args)}`;
      return cache.remember(key, options, () => original.apply(this, args));
    };
    return { ...descriptor, value: wrapped as unknown as T };
  };
}

function cacheOf(instance: object, propertyKey: string | symbol): SharedCache {
  const candidate = (instance as { cache?: unknown }).cache;
  if (candidate instanceof SharedCache) return candidate;
  throw new TypeError(`@cached ${instance.constructor.name}.${String(propertyKey)}: the instance has no \`cache\` (a SharedCache such as db.cache); expose one or pass { cache: (self) => … }`);
}
