import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import type { ChildRelation, EntityRegistry } from '../schema/entity-registry.js';
import { quoteIdentifier as q } from '../schema/naming.js';
import { appendAll } from '../sql/chunks.js';
import { groupByEntity } from './collection-loader.js';
import { keyArrays } from './column-arrays.js';
import type { RowState } from './row-state.js';

/** One statement deleting the rows of an entity under parents being deleted, by their keys. */
export interface ParentKeyDelete {
  readonly meta: EntityMeta;
  readonly sql: string;
  readonly params: readonly string[];
}

/**
 * The deletes that take the children of cascading collections with `roots` when nobody holds them:
 * `DELETE FROM lot t WHERE t."id_line" IN (SELECT p1."id" FROM "doc_line" p1 WHERE p1."id_doc" = ANY($1::int8[]))`,
 * then `DELETE FROM doc_line …`, deepest first — no read of the children, whatever their number.
 * Undefined when that is not safe and the flush must read the children instead: a cached entity or a
 * cycle in the tree (its rows' keys must be known), or rows of the tree's entities pending in the
 * session (they would be deleted twice).
 */
export function parentKeyDeletes(registry: EntityRegistry, roots: readonly RowState[], pendingDeletes: ReadonlySet<EntityMeta>): ParentKeyDelete[] | undefined {
  const out: ParentKeyDelete[] = [];
  for (const [meta, rows] of groupByEntity(roots)) {
    const params = keyArrays(meta, rows);
    const cast = meta.key.columns.map((c, i) => `$${i + 1}::${c.castType}[]`);
    // Rows under the deleted parents: `= ANY` for a one-column key (an index probe per key), else a set.
    const underRoots: ParentCondition = (alias, refs) =>
      refs.length === 1 ? `${alias}.${q((refs[0] as ColumnMeta).column)} = ANY(${cast[0] as string})` : inSet(alias, refs, `SELECT * FROM unnest(${cast.join(', ')})`);
    const planned = descend(registry, meta, underRoots, 1, new Set([meta]), pendingDeletes);
    if (planned === undefined) return undefined;
    for (const d of planned) out.push({ ...d, params });
  }
  return out;
}

/** The condition that a row (alias, its reference columns) hangs under a parent being deleted. */
type ParentCondition = (alias: string, refs: readonly ColumnMeta[]) => string;

/** The deletes below `parent` (whose rows being deleted `under` tells), deepest first; undefined when unsafe. */
function descend(
  registry: EntityRegistry,
  parent: EntityMeta,
  under: ParentCondition,
  depth: number,
  seen: Set<EntityMeta>,
  pendingDeletes: ReadonlySet<EntityMeta>,
): Omit<ParentKeyDelete, 'params'>[] | undefined {
  const out: Omit<ParentKeyDelete, 'params'>[] = [];
  for (const relation of registry.childrenOf(parent).filter((r) => r.onDelete === 'cascade')) {
    const child = relation.child;
    if (seen.has(child) || child.cache || pendingDeletes.has(child)) return undefined;
    const refs = refColumns(relation);
    const alias = `p${depth}`;
    if (!child.key.keyless) {
      const childSet = `SELECT ${child.key.columns.map((c) => `${alias}.${q(c.column)}`).join(', ')} FROM ${child.sqlTable} ${alias} WHERE ${under(alias, refs)}`;
      const below = descend(registry, child, (a, r) => inSet(a, r, childSet), depth + 1, new Set([...seen, child]), pendingDeletes);
      if (below === undefined) return undefined;
      appendAll(out, below);
    } else if (registry.childrenOf(child).length > 0) return undefined;
    out.push({ meta: child, sql: `DELETE FROM ${child.sqlTable} t WHERE ${under('t', refs)}` });
  }
  return out;
}

function refColumns(relation: ChildRelation): ColumnMeta[] {
  return relation.columnIndexes.map((i) => relation.child.columns[i] as ColumnMeta);
}

/** `a."x" IN (…)`, or `(a."x", a."y") IN (…)` for a composite reference. */
function inSet(alias: string, columns: readonly ColumnMeta[], set: string): string {
  const list = columns.map((c) => `${alias}.${q(c.column)}`);
  return `${list.length === 1 ? list[0] : `(${list.join(', ')})`} IN (${set})`;
}
