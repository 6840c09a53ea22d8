import type { CacheTier } from './cache-tier.js';
import { FileTier, type FileTierOptions } from './file-tier.js';
import type { InvalidationClock } from './invalidation-clock.js';
import { LoggingTier, type TierLogger } from './logging-tier.js';
import { MemoryTier } from './memory-tier.js';
import { RedisTier, type RedisTierOptions } from './redis-tier.js';
import { parseTierConfig, type TierSpec } from './tier-config.js';

/** How the tiers of a shared cache are chosen (see `SharedCacheOptions`). */
export interface TierChoice {
  readonly maxEntries?: number;
  readonly maxBytes?: number;
  readonly redis?: RedisTierOptions;
  readonly file?: FileTierOptions;
  readonly tiers?: string | readonly (TierSpec | CacheTier)[];
  readonly logTiers?: TierLogger;
}

/** The tiers of a shared cache, in the order they are asked, and the memory and Redis tiers among them. */
export interface TierChain {
  readonly tiers: readonly CacheTier[];
  readonly memory: MemoryTier | undefined;
  readonly redis: RedisTier | undefined;
}

/**
 * Builds the chain: `tiers` when given (specs, tiers of your own, or `CELLAR_CACHE`-style text),
 * otherwise memory, then Redis and a file tier when those are configured. With `logTiers` (or
 * `log` in the text) every tier but memory is wrapped in a logging tier: logging each memory hit
 * would cost more than the hit.
 */
export function buildTierChain(choice: TierChoice, clock: InvalidationClock): TierChain {
  let log = choice.logTiers;
  let items: readonly (TierSpec | CacheTier)[];
  if (typeof choice.tiers === 'string') {
    const parsed = parseTierConfig(choice.tiers);
    items = parsed.tiers;
    if (!parsed.log) log = undefined;
  } else if (choice.tiers) items = choice.tiers;
  else {
    const specs: TierSpec[] = [{ kind: 'memory', maxEntries: choice.maxEntries, maxBytes: choice.maxBytes }];
    if (choice.redis) specs.push({ kind: 'redis', ...choice.redis });
    if (choice.file) specs.push({ kind: 'file', ...choice.file });
    items = specs;
  }
  let memory: MemoryTier | undefined;
  let redis: RedisTier | undefined;
  const tiers = items.map((item): CacheTier => {
    const tier = isTier(item) ? item : makeTier(item, clock, choice);
    if (tier instanceof MemoryTier) memory ??= tier;
    if (tier instanceof RedisTier) redis ??= tier;
    return log && !(tier instanceof MemoryTier) ? new LoggingTier(tier, log) : tier;
  });
  return { tiers, memory, redis };
}

function makeTier(spec: TierSpec, clock: InvalidationClock, choice: TierChoice): CacheTier {
  switch (spec.kind) {
    case 'memory':
      return new MemoryTier(clock, { maxEntries: spec.maxEntries ?? choice.maxEntries, maxBytes: spec.maxBytes ?? choice.maxBytes });
    case 'redis':
      return new RedisTier(spec);
    case 'file':
      return new FileTier(spec);
  }
}

function isTier(item: TierSpec | CacheTier): item is CacheTier {
  return typeof (item as CacheTier).get === 'function';
}
