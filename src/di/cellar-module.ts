import 'reflect-metadata';
import { ContainerModule, type Newable } from 'inversify';
import type { Database } from '../api/database.js';
import { EntityApi, type SessionSource } from '../api/entity-api.js';
import { BulkProcess } from '../bulk/bulk-process.js';
import type { AnyEntity } from '../schema/entity.js';
import { apiOf, CellarTokens } from './tokens.js';

/** Options of {@link cellarModule}. */
export interface CellarModuleOptions {
  /** Your `@injectable()` services (e.g. `EntityApi` subclasses with domain methods), bound as singletons. */
  readonly services?: readonly Newable<unknown>[];
}

/**
 * An inversify module binding the `Database`, the ambient `Session`, an `EntityApi` per entity
 * (`apiOf(Entity)`), `BulkProcess`, the shared cache (`CellarTokens.Cache`, its tiers chosen by
 * `Database.open({ cache })` or `CELLAR_CACHE`), and your services. APIs and services are stateless singletons:
 * every call acts on the session of the current async context, set by `db.transaction(fn)` or
 * `db.withSession(session, fn)`; outside one they raise `NO_SESSION`. Inject with explicit
 * `@inject(token)`: nothing relies on emitted decorator metadata.
 *
 * @example
 * ```ts
 * const container = new Container();
 * container.loadSync(cellarModule(db, { services: [DocApi] }));
 * await db.transaction(() => container.get(DocApi).approve(42n));
 * ```
 */
export function cellarModule(db: Database, options: CellarModuleOptions = {}): ContainerModule {
  db.enableAmbientSession();
  return new ContainerModule(({ bind }) => {
    const source: SessionSource = () => db.currentSession();
    bind(CellarTokens.Database).toConstantValue(db);
    bind(CellarTokens.SessionSource).toConstantValue(source);
    bind(CellarTokens.Session).toDynamicValue(() => db.currentSession());
    bind(CellarTokens.BulkProcess).toDynamicValue(() => new BulkProcess(db.currentSession()));
    bind(CellarTokens.Cache).toConstantValue(db.cache);
    for (const entity of db.entities) bind(apiOf(entity as AnyEntity)).toConstantValue(new EntityApi(entity as AnyEntity, source));
    for (const service of options.services ?? []) bind(service).toSelf().inSingletonScope();
  });
}
