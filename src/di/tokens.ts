import type { ServiceIdentifier } from 'inversify';
import type { EntityApi } from '../api/entity-api.js';
import type { AnyEntity, EntityBase } from '../schema/entity.js';

/** Injection tokens of what `cellarModule` binds. Inject with `@inject(CellarTokens.X)`. */
export const CellarTokens = Object.freeze({
  /** The `Database`. */
  Database: Symbol.for('cellar.Database'),
  /** The ambient `Session` of the calling async context (resolved at each `get`). */
  Session: Symbol.for('cellar.Session'),
  /** A `SessionSource` that yields the ambient session: give it to `EntityApi` subclasses' `super(entity, source)`. */
  SessionSource: Symbol.for('cellar.SessionSource'),
  /** A `BulkProcess` over the ambient session (resolved at each `get`). */
  BulkProcess: Symbol.for('cellar.BulkProcess'),
  /** The database's `SharedCache` (`db.cache`): its tiers, `remember`, invalidation. */
  Cache: Symbol.for('cellar.Cache'),
});

const apiTokens = new WeakMap<EntityBase, symbol>();

/**
 * The token of an entity's `EntityApi`, bound by `cellarModule` to a stateless singleton acting on the
 * ambient session.
 *
 * @example
 * ```ts
 * constructor(@inject(apiOf(DocLine)) private readonly lines: EntityApi<typeof DocLine>) {}
 * ```
 */
export function apiOf<E extends AnyEntity>(entity: E): ServiceIdentifier<EntityApi<E>> {
  let token = apiTokens.get(entity);
  if (!token) {
    token = Symbol(`cellar.api.${entity.name}`);
    apiTokens.set(entity, token);
  }
  return token;
}
