// The public entry point: everything a user may import, named explicitly.

export { Database, type DatabaseOptions, type SessionOptions, type TransactionOptions } from './api/database.js';
export type { RetryCondition, RetryEvent, RetryOptions } from './api/transaction-retry.js';
export { Session, type SqlParams, type SelectOptions } from './api/session.js';
export { ObjectQuery, type SortDirection, type NullsOrder } from './api/object-query.js';
export type { WhereFilters, FilterOperators } from './api/where-filters.js';
export { TxIndex, type IndexKeyInput, type IndexKeyPart } from './api/tx-index.js';
export { UniqueTxIndex } from './api/unique-tx-index.js';
export type { LockMode, LockOptions } from './session/row-lock.js';
export type { StreamOptions } from './api/row-stream.js';
export { EntityApi, type SessionSource } from './api/entity-api.js';
export type { HasUnitOfWork } from './api/session-internals.js';
export type { Rop } from './api/rop.js';

export { defineEntity, type Entity, type AnyEntity, type EntityBase, type EntityDefinition, type EntityCacheOptions, type IndexDefinition, type IndexDefinitions, type IndexesOf, type IsUniqueIndex } from './schema/entity.js';
export type { Row, FieldOf, FieldValue, FieldInput, InsertValues, InsertByParentValues, WritableField, ParentFieldOf, ColumnsOf, GeneratedFields, OptionalFields, KeyOf, KeyInput, KeyValueOf, KeyFields, KeyTuple, GeneratedKeyField, PrimaryKeyDefinition } from './schema/entity.js';
export type { ColumnSpec, AnyColumnSpec, ValueOf, InputOf, IsGenerated, IsGeneratedKey, IsOptional, ColumnOptions, ReferenceTarget, Generation } from './schema/column-spec.js';
export { col, type ColumnKind, type ColumnFactories } from './schema/types/registry.js';
export type { ColumnType, Fail } from './schema/types/column-type.js';
export type { Normalizer } from './schema/value-normalizer.js';
export type { TextOptions } from './schema/types/text-type.js';
export type { VarcharOptions } from './schema/types/varchar-type.js';
export type { CharOptions } from './schema/types/char-type.js';
export type { DecimalOptions, DecimalInput } from './schema/types/decimal-type.js';
export type { BigintInput } from './schema/types/int8-types.js';
export type { EntityMeta, ColumnMeta, ParentMeta, IndexMeta, MetaSource } from './schema/entity-meta.js';
export type { KeyMeta, KeySource } from './schema/key-meta.js';
export type { MapKey } from './schema/keys.js';
export { snakeCase } from './schema/naming.js';

export type { Shape, ShapeRow } from './sql/row-shape.js';

export type { PoolOptions, PoolStats } from './db/connection-pool.js';
export type { ReplicaStats } from './db/replica-router.js';
export type { IsolationLevel, BeginOptions } from './db/connection.js';
export type { StatementEvent, StatementListener } from './db/statement-event.js';
export type { CellarLogger, LogLevel } from './db/cellar-logger.js';
export type { SchemaManager } from './db/schema-manager.js';
export type { MigrationPlan, MigrationStep } from './schema/migration-plan.js';
export { startEmbeddedPostgres, type EmbeddedServer, type EmbeddedPostgresOptions } from './db/embedded/embedded-postgres-launcher.js';
export { resolveDatabaseUrl, type ResolvedDatabase } from './db/database-url.js';

export type { SessionStats } from './session/session-stats.js';

export { SharedCache, type SharedCacheOptions, type RememberOptions } from './cache/shared-cache.js';
export type { PreloadKey } from './cache/preloader.js';
export type { CacheStats, CacheEvent } from './cache/cache-stats.js';
export type { CacheTier, CacheEntry, TierRead, TierStats } from './cache/cache-tier.js';
export type { TierSpec } from './cache/tier-config.js';
export type { TierChoice } from './cache/tier-chain.js';
export type { MemoryTierOptions } from './cache/memory-tier.js';
export type { RedisTierOptions } from './cache/redis-tier.js';
export type { FileTierOptions } from './cache/file-tier.js';
export type { TierLogger } from './cache/logging-tier.js';
export type { InvalidationMessage } from './cache/invalidation-message.js';
export { tableTag } from './cache/table-tag.js';
export { cached, type CachedOptions } from './cache/cached-decorator.js';
export type { EntityRowCache, RowCacheSettings, RowKey } from './cache/entity-row-cache.js';

export { cellarModule, type CellarModuleOptions } from './di/cellar-module.js';
export { apiOf, CellarTokens } from './di/tokens.js';

export { BulkProcess, type ChunkedQueryOptions, type ChunkedQueryJob } from './bulk/bulk-process.js';
export type { ChunkInfo, ChunkedQueryResult, JobChunkInfo, JobProgress } from './bulk/chunk-info.js';
export { BulkJobs, type JobDefinition } from './bulk/bulk-jobs.js';
export { BulkJob, type JobHandler, type JobWorkOptions, type PlannedJob } from './bulk/bulk-job.js';
export type { JobStatus, JobWorkResult } from './bulk/job-status.js';
export type { FindObjectsQuery, FindResult } from './bulk/find-objects.js';

export { CellarError, type CellarErrorCode } from './errors/cellar-error.js';
export { ValidationError } from './errors/validation-error.js';
export { NotFoundError } from './errors/not-found-error.js';
export { CellLimitError } from './errors/cell-limit-error.js';
export { OptimisticLockError } from './errors/optimistic-lock-error.js';
export { SessionAbortedError } from './errors/session-aborted-error.js';
export { SessionClosedError } from './errors/session-closed-error.js';
export { DetachedError } from './errors/detached-error.js';
export { SqlParamError } from './errors/sql-param-error.js';
export { DefinitionError } from './errors/definition-error.js';
export { BulkJobError } from './errors/bulk-job-error.js';
export { JobFailedError, type FailedChunk } from './errors/job-failed-error.js';
export { NoSessionError } from './errors/no-session-error.js';
export { CommitOutcomeUnknownError } from './errors/commit-outcome-unknown-error.js';
export { PoolTimeoutError } from './errors/pool-timeout-error.js';
export { SchemaMismatchError, type SchemaMismatch, type SchemaMismatchKind } from './errors/schema-mismatch-error.js';
export { UsageError } from './errors/usage-error.js';
export { EmbeddedServerError, type EmbeddedServerFailure } from './errors/embedded-server-error.js';
export {
  DbError,
  type DbErrorFields,
  UniqueViolationError,
  ForeignKeyViolationError,
  NotNullViolationError,
  CheckViolationError,
  ConstraintViolationError,
  DeadlockError,
  SerializationFailureError,
  LockNotAvailableError,
  LockTimeoutError,
  StatementTimeoutError,
  ConnectionLostError,
  QueryTimeoutError,
} from './errors/db-error.js';
