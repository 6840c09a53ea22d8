import type { UnitOfWork } from './unit-of-work.js';

/**
 * Runs `fn` inside a savepoint of the unit of work's transaction. Pending changes are flushed first,
 * so the savepoint separates the outer work from the part. On success the part's changes are flushed
 * and the savepoint released; on failure the database goes back to the savepoint (the outer work
 * stays), the session is usable again, the cache is cleared (rops from before become detached), and
 * the error is rethrown.
 */
export async function withSavepoint<T>(uow: UnitOfWork, fn: () => Promise<T>): Promise<T> {
  await uow.flush();
  const name = uow.nextSavepointName();
  await uow.run((c) => c.savepoint(name));
  try {
    const result = await fn();
    await uow.flush();
    await uow.run((c) => c.releaseSavepoint(name));
    return result;
  } catch (e) {
    await uow.recoverToSavepoint(name);
    throw e;
  }
}
