import { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext } from '@opentelemetry/api';
import { ConnectionPool, type PoolStats } from '../db/connection-pool.js';
import { SchemaManager } from '../db/schema-manager.js';
import { Log } from '../db/cellar-logger.js';
import type { Telemetry } from '../db/telemetry.js';
import { Tracing } from '../db/tracing.js';
import { CELLAR_VERSION } from '../version.js';
import { toCellarError } from '../db/pg-error-converter.js';
import { SchemaMismatchError } from '../errors/schema-mismatch-error.js';
import { UsageError } from '../errors/usage-error.js';
import { checkCopyThreshold, checkPooler, checkReplicas } from './option-checks.js';
import { replicaRouter } from './replica-routing.js';
import type { ReplicaRouter, ReplicaStats } from '../db/replica-router.js';
import { NoSessionError } from '../errors/no-session-error.js';
import type { EntityBase } from '../schema/entity.js';
import { EntityRegistry } from '../schema/entity-registry.js';
import { SharedCache } from '../cache/shared-cache.js';
import { UnitOfWork } from '../session/unit-of-work.js';
import { IdAllocator } from '../session/id-allocator.js';
import { CACHE_CHANNEL, CacheBroadcast } from './cache-broadcast.js';
import { withCacheLogging } from './cache-logging.js';
import { RopObject } from './rop.js';
import { preloadRows } from './preload-rows.js';
import { unitOfWorkOf } from './session-internals.js';
import { Session } from './session.js';
import { retryPolicy, withRetries } from './transaction-retry.js';
import type { DatabaseOptions, SessionOptions, TransactionOptions } from './database-options.js';

export type { DatabaseOptions, SessionOptions, TransactionOptions } from './database-options.js';

/**
 * The entry point: a connection pool, the checked entities, and sessions over them.
 *
 * @example
 * ```ts
 * const db = await Database.open({ url, entities: [Doc, DocLine] });
 * await db.schema.create();
 * const id = await db.transaction(async (s) => (await s.api(Doc).insert({ docNumber: 'A-1', docDate: '2026-11-21' })).id);
 * await db.close();
 * ```
 */
export class Database {
  /** DDL for the registered entities: `create()`, `sql()`, `drop()`. */
  readonly schema: SchemaManager;
  /**
   * The shared cache of this process: `remember` for any value, the store behind `.remember(…)` of
   * object queries and selects, and the row cache of entities declared with `cache`. Every entity's
   * table is a tag (`table:<name>`), invalidated when a commit writes that table: in this process at
   * once, and in the others through LISTEN/NOTIFY when broadcasting (on when an entity declares
   * `cache`, or with `cache: { broadcast: true }`) or through Redis pub/sub with a Redis tier.
   */
  readonly cache: SharedCache;
  readonly #pool: ConnectionPool;
  readonly #registry: EntityRegistry;
  readonly #options: DatabaseOptions;
  readonly #open = new Set<Session>();
  readonly #broadcast: CacheBroadcast;
  readonly #ambient = new AsyncLocalStorage<Session>();
  #ambientEnabled: boolean;

  readonly #telemetry: Telemetry;
  /** Id pools shared by every session of this database. */
  readonly #ids = new IdAllocator();
  /** Routes read-only sessions to replicas; undefined without `replicas`. */
  readonly #replicas: ReplicaRouter | undefined;

  private constructor(pool: ConnectionPool, registry: EntityRegistry, options: DatabaseOptions, telemetry: Telemetry) {
    this.#telemetry = telemetry;
    this.#pool = pool;
    this.#registry = registry;
    this.#options = Object.freeze({ ...options });
    this.#ambientEnabled = options.ambientSession ?? false;
    this.schema = new SchemaManager(pool, registry, () => this.#ids.reset(), () => this.#replicas?.committed(undefined));
    const cacheOptions = options.cache ?? {};
    // CELLAR_CACHE configures the tiers when the options name none (explicit options win).
    const fromEnv = cacheOptions.tiers === undefined && cacheOptions.redis === undefined && cacheOptions.file === undefined ? process.env['CELLAR_CACHE'] : undefined;
    this.cache = new SharedCache({
      ...cacheOptions,
      ...(fromEnv ? { tiers: fromEnv } : {}),
      onEvent: withCacheLogging(cacheOptions.onEvent, telemetry.log),
      logTiers: telemetry.log.enabled('debug') ? (details, message) => telemetry.log.write('debug', details, message) : undefined,
    });
    this.#broadcast = new CacheBroadcast(registry, this.cache);
    this.#replicas = replicaRouter(pool, options, telemetry);
    if (this.#replicas) this.cache.onRemoteCommit = () => this.#replicas?.remoteCommit();
    this.cache.attachPreloader((entity, what) => preloadRows((fn, options) => this.transaction(fn, options), this.cache, registry, entity as EntityBase, what));
  }

  /** Checks the entities, opens the pool and verifies that the server answers. */
  static async open(options: DatabaseOptions): Promise<Database> {
    const url = options.url ?? process.env['DATABASE_URL'];
    if (!url) {
      throw UsageError.noDatabaseUrl();
    }
    checkCopyThreshold(options.copyInsertsFrom);
    checkPooler(options.pooler);
    checkReplicas(options);
    const registry = new EntityRegistry(options.entities);
    const telemetry: Telemetry = {
      log: options.logger ? new Log(options.logger, options.logParameters ?? false) : Log.none,
      tracing: options.tracing === false ? Tracing.off : Tracing.forUrl(url, CELLAR_VERSION),
    };
    const transactionPooling = options.pooler === 'transaction';
    const broadcast = options.cache?.broadcast ?? registry.entities.some((m) => m.cache);
    if (transactionPooling && broadcast && options.listenUrl === undefined) throw UsageError.listenBehindPooler();
    const pool = new ConnectionPool(url, options.pool, options.onStatement, telemetry, transactionPooling);
    try {
      await pool.withConnection((c) => c.query('SELECT 1'));
    } catch (e) {
      await pool.end();
      throw toCellarError(e);
    }
    const db = new Database(pool, registry, options, telemetry);
    if (options.verifySchema) {
      const mismatches = await db.schema.verify().catch(async (e: unknown) => {
        await pool.end();
        throw toCellarError(e);
      });
      if (mismatches.length > 0) {
        await pool.end();
        throw new SchemaMismatchError(mismatches);
      }
    }
    if (broadcast) await db.#broadcast.listen(options.listenUrl ?? url);
    return db;
  }

  /** Where read-only transactions went (zeros without `replicas`). */
  get replicaStats(): ReplicaStats {
    return this.#replicas?.stats ?? { replicaReads: 0, primaryReads: 0 };
  }

  /**
   * The WAL position of the newest commit this process made or heard of (undefined before any, or
   * without `replicas`): pass it as `{ after }` to a read-only session in another process to read
   * your writes there too.
   */
  get lastCommitToken(): string | undefined {
    return this.#replicas?.lastCommitToken;
  }

  /** Pool counters: connections open, idle, and callers waiting. Checked out = `total - idle`. */
  get poolStats(): PoolStats {
    return this.#pool.stats;
  }


  /**
   * A session under your control: call `commit()` / `rollback()` and always `close()`. It takes a
   * pooled connection at its first statement and holds it until `close()`.
   */
  async session(options: SessionOptions = {}): Promise<Session> {
    const router = this.#replicas;
    const source = router && options.readOnly ? router.readSource(options.after) : this.#pool;
    const uow = new UnitOfWork(this.#registry, source, (scope, meta, values, status) => new RopObject(scope, meta, values, status), {
      cellLimit: this.#options.cellLimit,
      writeChunkSize: this.#options.writeChunkSize,
      combineWrites: this.#options.combineWrites,
      copyInsertsFrom: this.#options.copyInsertsFrom,
      statementTimeoutMs: this.#options.statementTimeoutMs,
      queryTimeoutMs: this.#options.queryTimeoutMs,
      sharedCache: this.cache,
      onCommitted: this.#broadcast.committed,
      onCommitPosition: router ? (lsn) => router.committed(lsn) : undefined,
      notifyOnCommit: this.#broadcast.listening ? { channel: CACHE_CHANNEL, payload: this.#broadcast.payload } : undefined,
      telemetry: this.#telemetry,
      ids: this.#ids,
      ...options,
    });
    const session = new Session(uow, () => this.#open.delete(session));
    this.#open.add(session);
    return session;
  }

  /**
   * Runs `fn` in a new session, which is also the ambient session of `fn`'s async context (what
   * injected APIs act on): commits when `fn` returns, rolls back when it throws (rethrowing the error),
   * and always releases the connection. With `retry`, transient failures rerun `fn` in a fresh session.
   *
   * @example
   * ```ts
   * await db.transaction(async (s) => { … }, { isolation: 'serializable', retry: true });
   * ```
   */
  async transaction<T>(fn: (session: Session) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { retry, ...sessionOptions } = options;
    return withRetries(retryPolicy(retry), this.#telemetry.log, (attempt) => this.#once(fn, attempt === 1 ? sessionOptions : { ...sessionOptions, retriesBefore: attempt - 1 }));
  }

  async #once<T>(fn: (session: Session) => Promise<T>, options: SessionOptions & { readonly retriesBefore?: number }): Promise<T> {
    const session = await this.session(options);
    try {
      // The transaction's span is the active one while fn runs: spans the user starts in fn hang below it.
      const run = (): Promise<T> => otelContext.with(session[unitOfWorkOf].tx.openSpan(), fn, undefined, session);
      const result = await (this.#ambientEnabled ? this.#ambient.run(session, run) : run());
      await session.commit();
      return result;
    } catch (e) {
      await session.rollback();
      throw e;
    } finally {
      await session.close();
    }
  }

  /** Runs `fn` with `session` as the ambient session of its async context (for injected APIs). */
  withSession<T>(session: Session, fn: () => T): T {
    return this.#ambient.run(session, fn);
  }

  /** From now on, `db.transaction` makes its session ambient (see `DatabaseOptions.ambientSession`). */
  enableAmbientSession(): void {
    this.#ambientEnabled = true;
  }

  /** The ambient session of the current async context; throws `NO_SESSION` outside one. */
  currentSession(): Session {
    const session = this.#ambient.getStore();
    if (!session) throw new NoSessionError();
    return session;
  }

  /** The entities given to `open`. */
  get entities(): readonly EntityBase[] {
    return this.#options.entities;
  }

  /** Closes every session still open (rolling back what they did not commit), then the pool. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((s) => s.close()));
    await this.#broadcast.close();
    await this.cache.close();
    await this.#replicas?.close();
    await this.#pool.end();
  }
}
