import { showKey } from '../errors/show-key.js';
import { UsageError } from '../errors/usage-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { EntityMeta, ParentMeta } from '../schema/entity-meta.js';
import { sameValue } from '../schema/keys.js';
import type { CacheIndex } from '../session/cache-index.js';
import type { UnitOfWork } from '../session/unit-of-work.js';
import { type Rop, rowOf } from './rop.js';

/** The child entity's parent relation, once `parent` is a rop of the parent entity (`USAGE` otherwise). */
function relationTo(child: EntityMeta, parent: Rop, call: string): ParentMeta {
  const relation = child.parent;
  if (!relation) throw UsageError.noParent(child.name, call);
  const parentMeta = relation.entity().meta;
  if (rowOf(parent).meta !== parentMeta) throw UsageError.wrongEntity(`${call} (${child.name}'s parent)`, parentMeta.name, parent.entityName);
  return relation;
}

/**
 * The key a child inserted under `parent` takes in its parent-ref fields: `USAGE` for a parent of
 * another entity or one deleted in the session, `VALIDATION` when `values` name another parent.
 */
export function parentKeyForInsert(child: EntityMeta, parent: Rop, values: Readonly<Record<string, unknown>>): { relation: ParentMeta; key: unknown[] } {
  const relation = relationTo(child, parent, 'insertByParent');
  const parentMeta = relation.entity().meta;
  if (!parent.exists()) throw UsageError.deletedRow(parentMeta.name, parent.id, 'a parent of new rows');
  const parentRow = rowOf(parent);
  const key = parentMeta.key.columns.map((c) => parentRow.values[c.index]);
  relation.fields.forEach((field, i) => {
    const given = values[field];
    const column = child.columns[relation.columnIndexes[i] as number];
    if (given !== undefined && given !== null && column !== undefined && !sameValue(column.normalize(given), key[i])) {
      throw new ValidationError(`insertByParent: ${field} ${String(given)} contradicts the parent ${showKey(parent.id)}; leave it out`, child.name, field);
    }
  });
  return { relation, key };
}

/** The cache index of `child`'s collection and `parent`'s key in it (`USAGE` / `DETACHED` for a wrong parent). */
export function collectionOf(child: EntityMeta, uow: UnitOfWork, parent: Rop, call: string): { index: CacheIndex; key: unknown[] } {
  const relation = relationTo(child, parent, call);
  uow.changes.assertAttached(rowOf(parent));
  const values = rowOf(parent).values;
  return { index: uow.rows.index(child, relation.columnIndexes), key: relation.entity().meta.key.columns.map((c) => values[c.index]) };
}
