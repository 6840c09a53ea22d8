import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import { appendAll } from '../sql/chunks.js';
import { arrayLiteral } from '../sql/param-encoding.js';
import { statementsFor } from './entity-statements.js';
import { isLive, type RowState, RowStatus } from './row-state.js';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * The rows to delete with `roots`: the roots and, level by level, the children of every collection
 * declared `onDelete: 'cascade'`. Children are re-read from the database (one statement per child
 * entity and level, as `refreshByParent` does) and merged with the session, so rows inserted or moved
 * in this session are counted by their in-session parent and none is missed.
 */
export async function collectCascade(uow: UnitOfWork, roots: readonly RowState[]): Promise<RowState[]> {
  const all = new Set<RowState>();
  let level = roots.filter(isLive);
  while (level.length > 0) {
    const next: RowState[] = [];
    for (const [meta, rows] of groupByEntity(level)) {
      for (const row of rows) all.add(row);
      for (const relation of uow.registry.childrenOf(meta)) {
        if (relation.onDelete !== 'cascade') continue;
        appendAll(next, await childrenOf(uow, relation.child, relation.columnIndex, rows));
      }
    }
    level = next.filter((r) => !all.has(r));
  }
  return [...all];
}

async function childrenOf(uow: UnitOfWork, child: EntityMeta, columnIndex: number, parents: readonly RowState[]): Promise<RowState[]> {
  const persisted = parents.filter((p) => p.status === RowStatus.Loaded).map((p) => p.id);
  if (persisted.length > 0) {
    await uow.loadWhere(child, statementsFor(child).whereColumnIn(child.columns[columnIndex] as ColumnMeta), [arrayLiteral(persisted)], 'refresh');
  }
  // Every child of these parents is now cached: the database's, and the session's under their in-session parent.
  const index = uow.indexFor(child, [columnIndex]);
  const found: RowState[] = [];
  for (const parent of parents) {
    index.markLoadedAndAppend(parent.id, found);
  }
  return found;
}

function groupByEntity(rows: readonly RowState[]): Map<EntityMeta, RowState[]> {
  const groups = new Map<EntityMeta, RowState[]>();
  for (const row of rows) {
    const group = groups.get(row.meta);
    if (group) group.push(row);
    else groups.set(row.meta, [row]);
  }
  return groups;
}
