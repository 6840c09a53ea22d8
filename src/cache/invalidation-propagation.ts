import type { CacheTier } from './cache-tier.js';
import { encodeInvalidation, type InvalidationMessage } from './invalidation-message.js';
import type { RedisTier } from './redis-tier.js';

/**
 * The part of an invalidation beyond this process's memory: every lower tier (Redis, files), then
 * the other processes through Redis pub/sub. Resolves when the tiers have it; failures are reported
 * to `tierError`, never thrown — a commit must not fail because a cache is down.
 */
export async function propagateInvalidation(
  lower: readonly CacheTier[],
  redis: RedisTier | undefined,
  tierError: (tier: CacheTier, key: string, error: unknown) => void,
  message: InvalidationMessage,
): Promise<void> {
  const keys = message.keys ?? [];
  await Promise.all(
    lower.map(async (tier) => {
      try {
        if (message.tags.length > 0) await tier.invalidateTags(message.tags);
        if (keys.length > 0) await tier.delete(keys);
      } catch (e) {
        tierError(tier, `tags:${message.tags.join(',')}`, e);
      }
    }),
  );
  if (!redis) return;
  try {
    await redis.publish(encodeInvalidation(message));
  } catch (e) {
    tierError(redis, 'publish', e);
  }
}
