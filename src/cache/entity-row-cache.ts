import { LRUCache } from 'lru-cache';

/**
 * One options object for every lookup: `LRUCache.get` otherwise allocates a fresh `{}` per call (it
 * writes only `status`, which stays undefined without diagnostics subscribers), a tenth of a cached
 * `load`'s time.
 */
const GET_OPTIONS: LRUCache.GetOptions<RowKey, readonly unknown[], unknown> = {};

/** A row's key in the row cache: the entity's map key (a safe int8 id as a number, text, a composite key's string). */
export type RowKey = number | bigint | string | boolean;

/** The settings of an entity's row cache: its size, TTL, and how keys named in invalidation messages (text) read back. */
export interface RowCacheSettings {
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** The row key a message's text names (`String(key)` inverted); text as it is when absent. */
  readonly keyFromText?: (text: string) => RowKey;
}

/**
 * Committed rows of one cached entity, by key, as value arrays in column order: what `load`, `find`
 * and `loadMany` consult between the transaction cache and the database. Keys are the entity's map
 * keys (numbers for int8 ids: no key text is built on the hot path); invalidation messages name
 * rows by `String(key)`, read back with the entity's `keyFromText`.
 *
 * Race rule: a reader takes a ticket (`beginRead`) before it asks the database and hands it back with
 * `put`; if the row (or the whole entity) was invalidated since the ticket was taken, the value it
 * read may be older than the commit that invalidated it, and is not stored.
 */
export class EntityRowCache {
  readonly #rows: LRUCache<RowKey, readonly unknown[]>;
  #clock = 0;
  #entityInvalidatedAt = 0;
  readonly #invalidatedAt = new Map<RowKey, number>();
  #readers = 0;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number, ttlMs: number) {
    this.#rows = new LRUCache<RowKey, readonly unknown[]>({ max: maxEntries, ttl: ttlMs });
  }

  /** A copy of the cached values (the caller's rop will own and change them), or undefined. */
  get(key: RowKey): unknown[] | undefined {
    const values = this.#rows.get(key, GET_OPTIONS);
    if (values === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return values.slice();
  }

  /** A ticket for a database read whose rows may be stored with {@link put}. */
  beginRead(): number {
    this.#readers++;
    return this.#clock;
  }

  /** Stores rows read under `ticket`, skipping any invalidated since; ends the read. */
  put(ticket: number, rows: readonly (readonly unknown[])[], keyOf: (values: readonly unknown[]) => RowKey): void {
    try {
      if (this.#entityInvalidatedAt > ticket) return;
      for (const values of rows) {
        const key = keyOf(values);
        if ((this.#invalidatedAt.get(key) ?? -1) > ticket) continue;
        this.#rows.set(key, values.slice());
      }
    } finally {
      this.endRead();
    }
  }

  /** Ends a read without storing (it failed, or its rows are not committed data). */
  endRead(): void {
    if (--this.#readers === 0) this.#invalidatedAt.clear(); // ticks matter only to reads in flight
  }

  /** Drops rows (or every row) changed by a commit. */
  invalidate(keys: readonly RowKey[] | 'all'): void {
    const tick = ++this.#clock;
    if (keys === 'all') {
      this.#entityInvalidatedAt = tick;
      this.#rows.clear();
      return;
    }
    for (const key of keys) {
      if (this.#readers > 0) this.#invalidatedAt.set(key, tick);
      this.#rows.delete(key);
    }
  }

  get size(): number {
    return this.#rows.size;
  }
}

/** The row caches of a shared cache, one per cached entity's table. */
export class EntityRowCaches {
  readonly #byTable = new Map<string, { readonly rows: EntityRowCache; readonly keyFromText: ((text: string) => RowKey) | undefined }>();

  /** The row cache of a table (made on first use with the entity's settings). */
  of(table: string, settings: RowCacheSettings): EntityRowCache {
    let entry = this.#byTable.get(table);
    if (!entry) this.#byTable.set(table, (entry = { rows: new EntityRowCache(settings.maxEntries, settings.ttlMs), keyFromText: settings.keyFromText }));
    return entry.rows;
  }

  /** Drops rows named by their keys' text (as messages carry them), or every row. */
  invalidate(table: string, keys: readonly string[] | 'all'): void {
    const entry = this.#byTable.get(table);
    if (!entry) return;
    const read = entry.keyFromText;
    entry.rows.invalidate(keys === 'all' || read === undefined ? keys : keys.map(read));
  }

  clear(): void {
    for (const { rows } of this.#byTable.values()) rows.invalidate('all');
  }

  stats(): { rowHits: number; rowMisses: number; rowEntries: number } {
    let rowHits = 0;
    let rowMisses = 0;
    let rowEntries = 0;
    for (const { rows: r } of this.#byTable.values()) {
      rowHits += r.hits;
      rowMisses += r.misses;
      rowEntries += r.size;
    }
    return { rowHits, rowMisses, rowEntries };
  }
}
