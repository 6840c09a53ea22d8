import { UsageError } from '../errors/usage-error.js';
import type { FileTierOptions } from './file-tier.js';
import type { MemoryTierOptions } from './memory-tier.js';
import type { RedisTierOptions } from './redis-tier.js';

/** One tier as configured: `memory`, `redis` or `file`, in the order they are asked. */
export type TierSpec =
  | ({ readonly kind: 'memory' } & MemoryTierOptions)
  | ({ readonly kind: 'redis' } & RedisTierOptions)
  | ({ readonly kind: 'file' } & FileTierOptions);

/** Tiers parsed from a `CELLAR_CACHE`-style text, and whether each is wrapped in a logging tier. */
export interface TierConfig {
  readonly tiers: readonly TierSpec[];
  readonly log: boolean;
}

/**
 * Parses `CELLAR_CACHE` (the original platform's `FTRACK_CACHE`): comma-separated tiers in the
 * order they are asked — `memory` or `memory:<maxEntries>`, a `redis://` / `rediss://` URL, and
 * `file:<directory>` (optionally `file:<directory>?maxBytes=<n>`) — plus `log` to wrap each in a
 * logging tier. Example: `memory:50000,redis://127.0.0.1:6379/0,file:/var/cache/app`.
 * Throws `USAGE` naming the first bad item.
 */
export function parseTierConfig(text: string): TierConfig {
  const tiers: TierSpec[] = [];
  let log = false;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    if (item === 'log') log = true;
    else if (item === 'memory' || item.startsWith('memory:')) {
      const n = item === 'memory' ? undefined : Number(item.slice('memory:'.length));
      if (n !== undefined && !(Number.isSafeInteger(n) && n > 0)) throw UsageError.badTierConfig(`"${item}": memory takes a whole number of entries, e.g. memory:50000`);
      tiers.push(n === undefined ? { kind: 'memory' } : { kind: 'memory', maxEntries: n });
    } else if (item.startsWith('redis://') || item.startsWith('rediss://')) tiers.push({ kind: 'redis', url: item });
    else if (item.startsWith('file:')) {
      const [dir, query] = item.slice('file:'.length).split('?') as [string, string | undefined];
      if (dir === '') throw UsageError.badTierConfig(`"${item}": file needs a directory, e.g. file:/var/cache/app`);
      const maxBytes = query ? Number(new URLSearchParams(query).get('maxBytes')) : undefined;
      if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) throw UsageError.badTierConfig(`"${item}": maxBytes must be a whole number of bytes`);
      tiers.push(maxBytes === undefined ? { kind: 'file', dir } : { kind: 'file', dir, maxBytes });
    } else throw UsageError.badTierConfig(`"${item}" is not a tier: use memory[:entries], redis://…, file:<dir> or log`);
  }
  return { tiers, log };
}
