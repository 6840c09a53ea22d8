import { UsageError } from '../errors/usage-error.js';
import type { AnyEntity, EntityBase } from '../schema/entity.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import { chunk } from '../sql/chunks.js';
import { LIMITS } from '../sql/limits.js';
import { keyArraysOfIds } from '../session/column-arrays.js';
import { statementsFor } from '../session/entity-statements.js';
import type { SharedCache } from '../cache/shared-cache.js';
import type { Session } from './session.js';
import { ObjectQuery } from './object-query.js';
import { unitOfWorkOf } from './session-internals.js';

/**
 * `db.cache.preload`: rows of a cached entity by ids (in statements of 10,000) or by `where` filters,
 * read in one read-only transaction through the row reader's read-through, so that a commit racing
 * the read never lets an old row in. Returns the number of rows read.
 */
export async function preloadRows(
  transaction: (fn: (s: Session) => Promise<number>, options: { readonly readOnly: boolean }) => Promise<number>,
  cache: SharedCache,
  registry: EntityRegistry,
  entity: EntityBase,
  what: readonly unknown[] | { readonly where: Readonly<Record<string, unknown>> },
): Promise<number> {
  const meta = entity.meta;
  const settings = meta.cache;
  if (!settings || !registry.has(meta)) throw UsageError.cannotPreload(`${meta.name} declares no cache (or was not given to Database.open)`);
  const rowCache = cache.rowsOf(meta.table, settings);
  return transaction(
    async (s) => {
      const uow = s[unitOfWorkOf];
      const reads = Array.isArray(what)
        ? chunk(what.map((id) => meta.key.normalize(id)), LIMITS.preloadIdsPerStatement).map((ids) => ({ where: statementsFor(meta).whereIdIn, values: keyArraysOfIds(meta, ids) }))
        : [new ObjectQuery(entity as AnyEntity, () => uow).where((what as { where: Readonly<Record<string, unknown>> }).where as never).whereClause()];
      let stored = 0;
      for (const read of reads) stored += (await uow.rows.readThrough(meta, rowCache, read.where, read.values)).length;
      return stored;
    },
    { readOnly: true },
  );
}
