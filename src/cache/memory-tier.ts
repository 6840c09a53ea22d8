import { LRUCache } from 'lru-cache';
import { type CacheEntry, type CacheTier, keyTag, type TierRead, type TierStats } from './cache-tier.js';
import type { InvalidationClock } from './invalidation-clock.js';
import { encodeValue } from './value-codec.js';

/** Options of {@link MemoryTier}. */
export interface MemoryTierOptions {
  /** Most entries held (default 10,000). */
  readonly maxEntries?: number;
  /** Most bytes held, counted as the encoded size of the values (default 64 MiB). */
  readonly maxBytes?: number;
}

/**
 * The in-process tier, on lru-cache: bounded by entries and bytes, least recently used out first,
 * values shared by reference (treat them as immutable). Tickets are ticks of the shared cache's
 * invalidation clock; tags are indexed so that invalidating one removes its entries at once.
 */
export class MemoryTier implements CacheTier {
  readonly name = 'memory';
  readonly #entries: LRUCache<string, CacheEntry>;
  readonly #byTag = new Map<string, Set<string>>();
  readonly #clock: InvalidationClock;
  #hits = 0;
  #misses = 0;
  #fills = 0;
  #evictions = 0;
  /** Called with each key evicted for room (for the cache's event stream). */
  onEvict: ((key: string) => void) | undefined;

  constructor(clock: InvalidationClock, options: MemoryTierOptions = {}) {
    this.#clock = clock;
    this.#entries = new LRUCache<string, CacheEntry>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? 64 * 2 ** 20,
      sizeCalculation: (entry, key) => Math.max(1, key.length + encodeValue(entry.value).length),
      dispose: (entry, key, reason) => {
        this.#untag(key, entry.tags);
        if (reason === 'evict') {
          this.#evictions++;
          this.onEvict?.(key);
        }
      },
    });
  }

  /** The entry, counted as a hit or a miss: the shared cache's synchronous fast path. */
  entry(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry) this.#hits++;
    else this.#misses++;
    return entry;
  }

  get(key: string): TierRead {
    const ticket = this.#clock.now();
    return { entry: this.entry(key), ticket };
  }

  set(key: string, entry: CacheEntry, ticket: unknown): void {
    if (this.#clock.invalidatedSince(ticket as number, [keyTag(key), ...entry.tags])) return;
    this.#entries.set(key, entry);
    this.#fills++;
    for (const tag of entry.tags) {
      let keys = this.#byTag.get(tag);
      if (!keys) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Whether a store with this ticket would be refused (an invalidation came after it). */
  refuses(key: string, tags: readonly string[], ticket: number): boolean {
    return this.#clock.invalidatedSince(ticket, [keyTag(key), ...tags]);
  }

  delete(keys: readonly string[]): number {
    this.#clock.invalidate(keys.map(keyTag));
    let removed = 0;
    for (const key of keys) if (this.#entries.delete(key)) removed++;
    return removed;
  }

  invalidateTags(tags: readonly string[]): number {
    this.#clock.invalidate(tags);
    let removed = 0;
    for (const tag of tags) for (const key of [...(this.#byTag.get(tag) ?? [])]) if (this.#entries.delete(key)) removed++;
    return removed;
  }

  clear(): void {
    this.#entries.clear();
    this.#byTag.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#entries.calculatedSize;
  }

  stats(): TierStats {
    return { hits: this.#hits, misses: this.#misses, fills: this.#fills, evictions: this.#evictions, errors: 0 };
  }

  async close(): Promise<void> {
    this.clear();
  }

  #untag(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (keys?.delete(key) && keys.size === 0) this.#byTag.delete(tag);
    }
  }
}
