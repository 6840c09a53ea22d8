import { NotificationListener } from '../db/notification-listener.js';
import type { EntityRegistry } from '../schema/entity-registry.js';
import type { TransactionWrites } from '../session/transaction-writes.js';
import { decodeInvalidation, encodeInvalidation, type InvalidationMessage } from '../cache/invalidation-message.js';
import type { SharedCache } from '../cache/shared-cache.js';
import { tableTag } from '../cache/table-tag.js';

/** The NOTIFY channel of cache invalidations. */
export const CACHE_CHANNEL = 'cellar_cache';

/**
 * What a commit invalidates, built once and sent two ways: applied to the shared cache (here, its
 * lower tiers, and other processes through Redis pub/sub when there is a Redis tier), and — when
 * broadcasting — as the payload of a NOTIFY inside the committing transaction, which every other
 * process's listener applies. One message type for both transports.
 */
export class CacheBroadcast {
  #listener: NotificationListener | undefined;

  constructor(
    private readonly registry: EntityRegistry,
    private readonly cache: SharedCache,
  ) {}

  /** Starts listening for other processes' NOTIFY (one connection outside the pool). */
  async listen(url: string): Promise<void> {
    this.#listener = await NotificationListener.start({
      url,
      channel: CACHE_CHANNEL,
      onMessage: (payload) => {
        const message = decodeInvalidation(payload);
        if (message) this.cache.applyRemote(message);
      },
      onReconnect: () => this.cache.clear(), // notifications were missed meanwhile: trust nothing cached
    });
    this.cache.markBroadcasting();
  }

  /** Whether commits NOTIFY the other processes. */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** What a commit invalidates: the tags of the tables it wrote, and the changed rows of cached entities. */
  messageOf(writes: TransactionWrites): InvalidationMessage {
    const tables = writes.written;
    const all = tables === 'all';
    const tags = (all ? this.registry.entities.map((m) => m.table) : tables).map(tableTag);
    const rows: Record<string, readonly string[] | 'all'> = {};
    for (const meta of this.registry.entities) {
      const ids = !meta.cache ? undefined : all ? 'all' : writes.rows.get(meta.table);
      if (ids) rows[meta.table] = ids;
    }
    return { origin: this.cache.origin, tags, rows };
  }

  /** The NOTIFY payload of a transaction's writes. */
  readonly payload = (writes: TransactionWrites): string => encodeInvalidation(this.messageOf(writes));

  /** After a commit (or one whose outcome is unknown), before `commit()` returns. */
  readonly committed = (writes: TransactionWrites): Promise<void> => this.cache.invalidateEverywhere(this.messageOf(writes));

  async close(): Promise<void> {
    await this.#listener?.close();
  }
}
