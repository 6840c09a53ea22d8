import type { CacheEvent } from './cache-stats.js';
import { type CacheEntry, type CacheTier, keyTag } from './cache-tier.js';
import type { InvalidationClock } from './invalidation-clock.js';
import type { MemoryTier } from './memory-tier.js';
import type { RememberOptions } from './remember-options.js';

/**
 * One load of a key through the tiers: ask each lower tier in order (keeping its ticket), else call
 * the loader; then fill the memory tier and every tier asked before the one that answered — each
 * with its own ticket, so that a tier refuses (or never serves) a value whose key or tags it saw
 * invalidated since. A value invalidated locally while it loaded is returned and stored nowhere.
 */
export class TierLoader {
  calls = 0;
  timeMs = 0;

  constructor(
    private readonly clock: InvalidationClock,
    private readonly memory: MemoryTier | undefined,
    private readonly lower: readonly CacheTier[],
    private readonly onEvent: ((event: CacheEvent) => void) | undefined,
    private readonly track: (work: Promise<unknown>) => void,
    private readonly tierError: (tier: CacheTier, key: string, error: unknown) => void,
    private readonly now: () => number,
  ) {}

  async load(key: string, options: RememberOptions, tags: readonly string[], startedAt: number, loader: () => Promise<unknown>, closed: () => boolean): Promise<unknown> {
    const tickets: unknown[] = [];
    for (const tier of this.lower) {
      try {
        const read = await tier.get(key, tags);
        if (read.entry && this.now() < read.entry.freshUntil) {
          this.onEvent?.({ type: 'hit', key, tier: tier.name });
          this.#fill(key, read.entry, startedAt, tickets);
          return read.entry.value;
        }
        tickets.push(read.ticket);
      } catch (e) {
        this.tierError(tier, key, e);
        tickets.push(undefined); // unreachable now: not filled either
      }
    }
    this.calls++;
    const started = performance.now();
    let value: unknown;
    try {
      value = await loader();
    } catch (e) {
      this.onEvent?.({ type: 'loader-error', key });
      throw e;
    } finally {
      this.timeMs += performance.now() - started;
    }
    if (value === undefined || closed()) return value; // undefined means "no value": not stored
    const freshUntil = this.now() + options.ttlMs;
    const entry: CacheEntry = { value, freshUntil, staleUntil: freshUntil + (options.staleWhileRevalidateMs ?? 0), tags, computeMs: performance.now() - started };
    this.#fill(key, entry, startedAt, tickets);
    return value;
  }

  #fill(key: string, entry: CacheEntry, startedAt: number, tickets: readonly unknown[]): void {
    if (this.clock.invalidatedSince(startedAt, [keyTag(key), ...entry.tags])) {
      this.onEvent?.({ type: 'set-skipped', key, tags: entry.tags });
      return;
    }
    this.memory?.set(key, entry, startedAt);
    this.onEvent?.({ type: 'set', key, tags: entry.tags });
    tickets.forEach((ticket, i) => {
      const tier = this.lower[i] as CacheTier;
      if (ticket !== undefined) this.track(Promise.resolve(tier.set(key, entry, ticket)).catch((e: unknown) => this.tierError(tier, key, e)));
    });
  }
}
