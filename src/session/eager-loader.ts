import { ValidationError } from '../errors/validation-error.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import { chunk } from '../sql/chunks.js';
import { arrayLiteral } from '../sql/param-encoding.js';
import { statementsFor } from './entity-statements.js';
import { type RowState, RowStatus } from './row-state.js';
import type { UnitOfWork } from './unit-of-work.js';

/** Parent ids per statement when eager-loading a collection. */
const PARENTS_PER_STATEMENT = 50_000;

/**
 * `batchIn`: loads the listed child collections of `roots` (DESIGN rule 4): one statement per listed
 * entity (per 50,000 parents), whatever the number of rows. A child of a child is resolved through
 * its parent, at any depth. Every parent's collection is marked loaded — empty ones included — so
 * `byParent` on any of them afterwards issues no statement.
 */
export async function eagerLoad(uow: UnitOfWork, rootMeta: EntityMeta, roots: readonly RowState[], classes: readonly EntityMeta[]): Promise<void> {
  const order = loadOrder(rootMeta, classes);
  const loaded = new Map<EntityMeta, readonly RowState[]>([[rootMeta, roots]]);
  for (const child of order) {
    const relation = child.parent as NonNullable<EntityMeta['parent']>;
    const parents = loaded.get(relation.entity().meta) ?? [];
    const index = uow.indexFor(child, [relation.columnIndex]);
    const toRead = parents.filter((p) => p.status === RowStatus.Loaded && !index.isLoaded(p.id)).map((p) => p.id);
    const byParents = statementsFor(child).whereColumnIn(child.columns[relation.columnIndex] as ColumnMeta);
    for (const ids of chunk(toRead, PARENTS_PER_STATEMENT)) {
      // When no row of the child entity is cached yet, every row read is fresh: skip the identity lookups.
      const absentSince = uow.cachedRowsOf(child).size === 0 ? uow.cacheChanges(child) : undefined;
      await uow.loadWhere(child, byParents, [arrayLiteral(ids)], 'keep', absentSince);
    }
    const children: RowState[] = [];
    for (const parent of parents) {
      index.markLoadedAndAppend(parent.id, children);
    }
    loaded.set(child, children);
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
      throw new ValidationError(
        `batchIn: ${pending.map((c) => c.name).join(', ')} ${pending.length > 1 ? 'are not child collections' : 'is not a child collection'} of ${rootMeta.name} or of the other entities listed`,
      );
    }
    const [found] = pending.splice(next, 1) as [EntityMeta];
    order.push(found);
    available.add(found);
  }
  return order;
}
