import { UsageError } from '../errors/usage-error.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import { appendAll, chunk } from '../sql/chunks.js';
import { LIMITS } from '../sql/limits.js';
import { arrayLiteral, encodeParam } from '../sql/param-encoding.js';
import type { CacheIndex } from './cache-index.js';
import { statementsFor } from './entity-statements.js';
import type { IndexKey } from '../schema/keys.js';
import type { MergeMode } from './row-materializer.js';
import type { RowReader } from './row-reader.js';
import { lockClause, type LockOptions } from './row-lock.js';
import { type RowState, RowStatus } from './row-state.js';


/**
 * Rows by index key — collections (`byParent`, keyed by the parent-ref column) and transactional
 * indexes (`byKey`) — following DESIGN rules 1–4, with one implementation of "the children of these
 * parents" for collections, `batchIn` and cascades:
 * - a key is read once, later calls are served from the cache index (no statement);
 * - with `refresh` it is always read, and merged: changed rows keep the session's values, deleted ones
 *   stay out, new ones are included, rows new in the database appear;
 * - every parent's collection (every key) asked for is marked loaded, empty ones included.
 */
export class CollectionLoader {
  constructor(
    private readonly registry: EntityRegistry,
    private readonly rows: RowReader,
  ) {}

  /**
   * The live rows of one key of an index: cached when loaded, else one statement. With `lock` the key
   * is always read, its rows locked in key order, and merged as with `refresh`.
   */
  async rowsByKey(index: CacheIndex, keyValues: readonly unknown[], refreshing: boolean, lock?: LockOptions): Promise<RowState[]> {
    const key = index.keyOf(keyValues);
    const refresh = refreshing || lock !== undefined;
    const cached = refresh ? undefined : index.liveIfLoaded(key);
    if (cached) {
      this.rows.countHits();
      return cached;
    }
    let where = statementsFor(index.meta).whereKey(index.columns.map((c) => index.meta.columns[c] as ColumnMeta));
    if (lock) where += lockClause(index.meta.name, lock);
    const fromDb = await this.rows.where(index.meta, where, keyValues.map(encodeParam), refresh ? 'refresh' : 'keep');
    // Rows skipped as locked by others are not in the cache index: the key is not complete there.
    if (!lock?.skipLocked) index.markLoaded(key);
    const live = index.live(key);
    if (!refresh) return live;
    const returned = new Set(fromDb);
    // Under a lock, only rows the statement locked (and this session's new ones) are the caller's.
    if (lock) return live.filter((row) => returned.has(row) || row.status === RowStatus.New);
    // A clean row the database no longer files under this key was moved or deleted by someone else.
    return live.filter((row) => returned.has(row) || row.status === RowStatus.New || row.dirty !== null);
  }

  /** Loads every key not loaded yet: one statement per 500,000 keys; afterwards each is served from the cache. */
  async loadKeys(index: CacheIndex, keys: readonly (readonly unknown[])[]): Promise<void> {
    const pending = new Map<IndexKey, readonly unknown[]>();
    for (const values of keys) {
      const key = index.keyOf(values);
      if (!index.isLoaded(key)) pending.set(key, values);
    }
    const columns = index.columns.map((c) => index.meta.columns[c] as ColumnMeta);
    const where = statementsFor(index.meta).whereKeysIn(columns);
    for (const part of chunk([...pending], LIMITS.keysPerStatement)) {
      const arrays = columns.map((_, i) => arrayLiteral(part.map(([, values]) => values[i])));
      await this.rows.where(index.meta, where, arrays);
      for (const [key] of part) index.markLoaded(key);
    }
  }

  /**
   * The children of `parents` in `child`'s collection: read for the parents that have rows in the
   * database (all of them with `refresh`, else those not loaded yet), one statement per 500,000
   * parents, merged with the session; every parent's collection marked loaded. Returns the live
   * children (and, with `deletedToo`, those deleted in the session), in no particular order.
   */
  async childrenOf(child: EntityMeta, columnIndexes: readonly number[], parents: readonly RowState[], mode: MergeMode, deletedToo = false): Promise<RowState[]> {
    const first = parents[0];
    if (first === undefined) return [];
    const index = this.rows.index(child, columnIndexes);
    const keyAt = first.meta.key.columns.map((c) => c.index);
    const toRead = parents.filter((p) => (p.status === RowStatus.Loaded || p.status === RowStatus.Deleted) && (mode === 'refresh' || !index.isLoaded(index.keyAt(p.values, keyAt))));
    const byParents = statementsFor(child).whereKeysIn(columnIndexes.map((i) => child.columns[i] as ColumnMeta));
    for (const part of chunk(toRead, LIMITS.keysPerStatement)) {
      // When no row of the child entity is cached yet, every row read is fresh: skip the identity lookups.
      const absentSince = mode === 'keep' && this.rows.identity(child).size === 0 ? this.rows.changesOf(child) : undefined;
      await this.rows.where(child, byParents, keyAt.map((at) => arrayLiteral(part.map((p) => p.values[at]))), mode, absentSince);
    }
    const children: RowState[] = [];
    for (const parent of parents) index.markLoadedAndAppend(index.keyAt(parent.values, keyAt), children, deletedToo);
    return children;
  }

  /**
   * `batchIn` (DESIGN rule 4): the listed collections of `roots`, one statement per listed entity
   * (per 500,000 parents); a child of a child is resolved through its parent, at any depth.
   */
  async eager(rootMeta: EntityMeta, roots: readonly RowState[], classes: readonly EntityMeta[]): Promise<void> {
    const loaded = new Map<EntityMeta, readonly RowState[]>([[rootMeta, roots]]);
    for (const child of loadOrder(rootMeta, classes)) {
      const relation = child.parent as NonNullable<EntityMeta['parent']>;
      loaded.set(child, await this.childrenOf(child, relation.columnIndexes, loaded.get(relation.entity().meta) ?? [], 'keep'));
    }
  }

  /**
   * The rows a delete of `roots` takes with it: level by level, the children of every collection
   * declared `onDelete: 'cascade'`, re-read from the database and merged with the session, so rows
   * inserted or moved in this session count under their in-session parent and none is missed.
   */
  async cascade(roots: readonly RowState[]): Promise<RowState[]> {
    const seen = new Set<RowState>(roots);
    const found: RowState[] = [];
    let level: readonly RowState[] = roots;
    while (level.length > 0) {
      const next: RowState[] = [];
      for (const [meta, parents] of groupByEntity(level)) {
        for (const relation of this.registry.childrenOf(meta)) {
          // Children already deleted in the session count too: theirs must go as well.
          if (relation.onDelete === 'cascade') appendAll(next, await this.childrenOf(relation.child, relation.columnIndexes, parents, 'refresh', true));
        }
      }
      level = next.filter((r) => !seen.has(r) && (seen.add(r), true));
      appendAll(found, level as RowState[]);
    }
    return found;
  }

  /** The rows held in the session under cascading collections of `roots`, at any depth (no statement). */
  heldDescendants(roots: readonly RowState[]): RowState[] {
    const seen = new Set<RowState>(roots);
    const found: RowState[] = [];
    for (let level: readonly RowState[] = roots; level.length > 0; ) {
      const next: RowState[] = [];
      for (const parent of level) {
        for (const relation of this.registry.childrenOf(parent.meta)) {
          if (relation.onDelete !== 'cascade') continue;
          const held: RowState[] = [];
          const index = this.rows.index(relation.child, relation.columnIndexes);
          index.appendLive(index.keyAt(parent.values, parent.meta.key.columns.map((c) => c.index)), held);
          for (const row of held) if (!seen.has(row)) (seen.add(row), next.push(row));
        }
      }
      appendAll(found, next);
      level = next;
    }
    return found;
  }
}

/**
 * The classes ordered parents first; every one must hang from the root through the others, or this
 * throws `VALIDATION` (before any statement: `batchIn` checks it when the query is built).
 */
export function loadOrder(rootMeta: EntityMeta, classes: readonly EntityMeta[]): EntityMeta[] {
  const available = new Set<EntityMeta>([rootMeta]);
  const pending = [...new Set(classes)];
  const order: EntityMeta[] = [];
  while (pending.length > 0) {
    const next = pending.findIndex((c) => c.parent !== undefined && available.has(c.parent.entity().meta));
    if (next < 0) {
      throw new UsageError(
        `batchIn: ${pending.map((c) => c.name).join(', ')} ${pending.length > 1 ? 'are not child collections' : 'is not a child collection'} of ${rootMeta.name} or of the other entities listed`,
      );
    }
    const [found] = pending.splice(next, 1) as [EntityMeta];
    order.push(found);
    available.add(found);
  }
  return order;
}

/** Rows by entity, in the order first met. */
export function groupByEntity(rows: readonly RowState[]): Map<EntityMeta, RowState[]> {
  const groups = new Map<EntityMeta, RowState[]>();
  for (const row of rows) {
    const group = groups.get(row.meta);
    if (group) group.push(row);
    else groups.set(row.meta, [row]);
  }
  return groups;
}
