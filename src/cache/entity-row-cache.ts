import { LRUCache } from 'lru-cache';

/**
 * Committed rows of one cached entity, by key (the entity's map key as a string: the same text in
 * every process, so invalidation messages name rows as they are stored), as value arrays in column order: what `load`, `find`
 * and `loadMany` consult between the transaction cache and the database.
 *
 * Race rule: a reader takes a ticket (`beginRead`) before it asks the database and hands it back with
 * `put`; if the row (or the whole entity) was invalidated since the ticket was taken, the value it
 * read may be older than the commit that invalidated it, and is not stored.
 */
export class EntityRowCache {
  readonly #rows: LRUCache<string, readonly unknown[]>;
  #clock = 0;
  #entityInvalidatedAt = 0;
  readonly #invalidatedAt = new Map<string, number>();
  #readers = 0;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number, ttlMs: number) {
    this.#rows = new LRUCache<string, readonly unknown[]>({ max: maxEntries, ttl: ttlMs });
  }

  /** A copy of the cached values (the caller's rop will own and change them), or undefined. */
  get(key: string): unknown[] | undefined {
    const values = this.#rows.get(key);
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
  put(ticket: number, rows: readonly (readonly unknown[])[], keyOf: (values: readonly unknown[]) => string): void {
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
  invalidate(keys: readonly string[] | 'all'): void {
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
  readonly #byTable = new Map<string, EntityRowCache>();

  /** The row cache of a table (made on first use with the entity's settings). */
  of(table: string, settings: { readonly ttlMs: number; readonly maxEntries: number }): EntityRowCache {
    let rows = this.#byTable.get(table);
    if (!rows) this.#byTable.set(table, (rows = new EntityRowCache(settings.maxEntries, settings.ttlMs)));
    return rows;
  }

  invalidate(table: string, keys: readonly string[] | 'all'): void {
    this.#byTable.get(table)?.invalidate(keys);
  }

  clear(): void {
    for (const rows of this.#byTable.values()) rows.invalidate('all');
  }

  stats(): { rowHits: number; rowMisses: number; rowEntries: number } {
    let rowHits = 0;
    let rowMisses = 0;
    let rowEntries = 0;
    for (const r of this.#byTable.values()) {
      rowHits += r.hits;
      rowMisses += r.misses;
      rowEntries += r.size;
    }
    return { rowHits, rowMisses, rowEntries };
  }
}
