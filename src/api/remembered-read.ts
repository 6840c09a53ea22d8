import type { RememberOptions } from '../cache/shared-cache.js';
import type { UnitOfWork } from '../session/unit-of-work.js';

/**
 * A read through the shared cache for a session — the one place where object queries and selects
 * meet `remember`: used only when the session may (READ COMMITTED, none of the tables the read or
 * its tags cover written in this transaction; otherwise `read` runs and nothing is stored); a
 * background refresh runs `refresh`, which must not use the session (it may be closed by then).
 * The first time a process remembers a read whose invalidation cannot reach other processes (no
 * broadcast, no Redis tier), it says so at warn level.
 */
export function rememberedRead<T>(uow: UnitOfWork, key: string, options: RememberOptions, table: string | undefined, read: () => Promise<T>, refresh: () => Promise<T>): Promise<T> {
  const cache = uow.tx.sharedCacheFor(table, options.tags ?? []);
  if (!cache) return read();
  if (!cache.crossProcess && cache.firstLocalOnlyUse()) {
    const { log } = uow.tx.telemetry;
    if (log.enabled('warn')) {
      log.write(
        'warn',
        { event: 'cache-process-local', key },
        'cellar: remembered reads are invalidated only by commits of this process (no broadcast, no Redis tier); other processes\' commits show after ttlMs. Set cache: { broadcast: true } or a Redis tier to invalidate across processes',
      );
    }
  }
  return cache.remember(key, options, read, refresh);
}
