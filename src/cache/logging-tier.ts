import type { CacheEntry, CacheTier, TierRead, TierStats } from './cache-tier.js';

/** Where the logging tier writes: one debug entry per call (the database passes its logger's). */
export type TierLogger = (details: Readonly<Record<string, unknown>>, message: string) => void;

/**
 * A tier that reports every get (hit or miss), set, delete and invalidation of the tier it wraps
 * through the logger, with the time each took — the original platform's logging cache, for finding
 * out what a job really asks of its caches. Configure it with `cache: { logTiers: true }` or a `log`
 * item in `CELLAR_CACHE`.
 */
export class LoggingTier implements CacheTier {
  readonly name: string;

  constructor(
    private readonly tier: CacheTier,
    private readonly log: TierLogger,
  ) {
    this.name = tier.name;
  }

  async get(key: string, tags: readonly string[]): Promise<TierRead> {
    const started = performance.now();
    const read = await this.tier.get(key, tags);
    this.log({ event: read.entry ? 'tier-hit' : 'tier-miss', tier: this.name, key, durationMs: performance.now() - started }, `cellar cache ${this.name} ${read.entry ? 'hit' : 'miss'}`);
    return read;
  }

  async set(key: string, entry: CacheEntry, ticket: unknown): Promise<void> {
    const started = performance.now();
    await this.tier.set(key, entry, ticket);
    this.log({ event: 'tier-set', tier: this.name, key, tags: entry.tags, durationMs: performance.now() - started }, `cellar cache ${this.name} set`);
  }

  async delete(keys: readonly string[]): Promise<void> {
    await this.tier.delete(keys);
    this.log({ event: 'tier-delete', tier: this.name, keys }, `cellar cache ${this.name} delete`);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    await this.tier.invalidateTags(tags);
    this.log({ event: 'tier-invalidate', tier: this.name, tags }, `cellar cache ${this.name} invalidate`);
  }

  clear(): void {
    this.tier.clear?.();
  }

  stats(): TierStats {
    return this.tier.stats();
  }

  close(): Promise<void> {
    return this.tier.close();
  }
}
