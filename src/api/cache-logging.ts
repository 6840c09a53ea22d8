import type { CacheEvent } from '../cache/cache-stats.js';
import { Log } from '../db/cellar-logger.js';

/**
 * The shared cache's event callback with logging added: events at debug, tier and loader errors at
 * warn. Without a logger it is the user's callback as given (undefined keeps the hit path free).
 */
export function withCacheLogging(onEvent: ((event: CacheEvent) => void) | undefined, log: Log): ((event: CacheEvent) => void) | undefined {
  if (log === Log.none) return onEvent;
  return (event) => {
    onEvent?.(event);
    const level = event.type === 'tier-error' || event.type === 'loader-error' ? 'warn' : 'debug';
    if (log.enabled(level)) {
      log.write(level, { event: `cache-${event.type}`, key: event.key, tags: event.tags, error: event.error === undefined ? undefined : String(event.error) }, `cellar cache ${event.type}`);
    }
  };
}
