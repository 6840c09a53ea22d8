import { showKey } from './show-key.js';
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

  /** The cache broadcast asked for behind a transaction pooler, with nowhere to LISTEN. */
  static listenBehindPooler(): UsageError {
    return new UsageError(
      "the cache broadcast LISTENs on a connection of its own, which a pooler in transaction mode cannot keep: pass listenUrl (a direct URL to the primary, past the pooler), or cache: { broadcast: false } when no other process writes what this one caches",
    );
  }

  /** An API of an entity the database was not opened with. */
  static notRegistered(entity: string): UsageError {
    return new UsageError(`${entity} is not among the entities given to Database.open; add it to { entities }`);
  }

  /** A collection call on an entity that declares no `parent`. */
  static noParent(entity: string, call: string): UsageError {
    return new UsageError(`${entity} declares no parent, so ${call} does not apply; declare parent: { entity, field } or use insert()/query()`);
  }

  /** `api.index(name)` of an index the entity does not declare. */
  static noIndex(entity: string, name: string, declared: readonly string[]): UsageError {
    return new UsageError(`${entity} declares no index "${name}"; declared: ${declared.join(', ') || 'none'}`);
  }

  /** A rop of another entity than the API's. */
  static wrongEntity(call: string, expected: string, given: string): UsageError {
    return new UsageError(`${call}: expected a ${expected}, got a ${given}`);
  }

  /** A row deleted in this session used as if it were still there. */
  /** A keyless (`primaryKey: []`) entity's rows used as rows with a key. */
  static keyless(entity: string, what: string): UsageError {
    return new UsageError(`${entity} has no primary key (primaryKey: []): its rows are inserted only and cannot be ${what}; read them with s.select()`);
  }

  static deletedRow(entity: string, id: unknown, call: string): UsageError {
    return new UsageError(`${entity} ${showKey(id)} was deleted in this session; it cannot be ${call}`);
  }

  /** `childrenOf` of a collection the session has not loaded. */
  static collectionNotLoaded(child: string, parent: string, id: unknown): UsageError {
    return new UsageError(`childrenOf: the ${child} collection of ${parent} ${showKey(id)} is not loaded in this session; await byParent(parent) once, or load the parents with batchIn(${child})`);
  }

  /** `Database.open` without a URL. */
  static noDatabaseUrl(): UsageError {
    return new UsageError('no database URL: pass { url } or set DATABASE_URL (for a throw-away server, see startEmbeddedPostgres())');
  }

  /** `preload` of an entity without `cache`, or of a cache made outside a Database. */
  static cannotPreload(what: string): UsageError {
    return new UsageError(`preload: ${what}; preload needs an entity declared with cache: { ttlMs } and db.cache`);
  }

  /** A bad `CELLAR_CACHE` / `tiers` text. */
  static badTierConfig(problem: string): UsageError {
    return new UsageError(`cache tiers: ${problem}`);
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
