import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import { type CacheEntry, type CacheTier, keyTag, type TierRead, type TierStats } from './cache-tier.js';
import { decodeValue, encodeValue } from './value-codec.js';

// ioredis is loaded when the first Redis tier is created: an application without Redis never pays
// for it (half a megabyte of live heap, which also raises V8's heap limit in long jobs).
const requireModule = createRequire(import.meta.url);
let RedisClient: typeof Redis | undefined;
function newRedis(url: string, options: RedisOptions): Redis {
  RedisClient ??= (requireModule('ioredis') as typeof import('ioredis')).Redis;
  return new RedisClient(url, options);
}

/** Options of {@link RedisTier}. */
export interface RedisTierOptions {
  readonly url: string;
  /** Key prefix, so that several applications can share one Redis (default `cellar:`). */
  readonly prefix?: string;
  /** Milliseconds a command may take before it counts as failed (default 500). */
  readonly commandTimeoutMs?: number;
}

/** Tokens live at least this long, so that a load in flight always finds the token it started with changed or intact. */
const TOKEN_TTL_MS = 24 * 3600_000;

// Reads an entry and the current token of each name (creating missing ones, so a ticket never holds
// "absent"); the entry is returned only if every token it was stored with is still current.
const GET = `
local out = {false}
local now = redis.call('TIME')
for i = 2, #KEYS do
  local t = redis.call('GET', KEYS[i])
  if not t then
    t = redis.call('INCR', ARGV[1]) .. ':' .. now[1] .. now[2]
    redis.call('SET', KEYS[i], t, 'PX', ARGV[2])
  end
  out[i] = t
end
local raw = redis.call('GET', KEYS[1])
if raw then
  local ok = true
  for name, tok in pairs(cjson.decode(raw).k) do
    if redis.call('GET', name) ~= tok then ok = false break end
  end
  if ok then out[1] = raw end
end
return out`;

// Stores an entry if the tokens of the ticket are still current, and keeps them alive as long as it.
const SET = `
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[2], 'GT') end
return 1`;

// Replaces the tokens: every entry stored under the old ones is invalid from now on, in every process.
const INVALIDATE = `
local now = redis.call('TIME')
for i = 1, #KEYS do
  local t = redis.call('INCR', ARGV[1]) .. ':' .. now[1] .. now[2]
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < tonumber(ARGV[2]) then ttl = ARGV[2] end
  redis.call('SET', KEYS[i], t, 'PX', ttl)
end
return 1`;

interface RedisScripts {
  cellarGet(numKeys: number, ...args: string[]): Promise<(string | null)[]>;
  cellarSet(numKeys: number, ...args: string[]): Promise<number>;
  cellarInvalidate(numKeys: number, ...args: string[]): Promise<number>;
}

/**
 * The Redis tier, shared by every process. Invalidation is by token, not by listing keys: every
 * tag (and every key, as `key:<key>`) has a token in Redis; an entry is stored with the tokens its
 * load started under (read in the same script as the miss), and is served only while they are all
 * current. Invalidating replaces the tokens, so no process reads an entry filled before the
 * invalidation returned, however its fill raced with it — and no tag needs a list of its keys.
 * Scripts run as one atomic step each; a single Redis (not Redis Cluster) is assumed.
 */
export class RedisTier implements CacheTier {
  readonly name = 'redis';
  readonly #redis: Redis & RedisScripts;
  readonly #prefix: string;
  readonly #url: string;
  #subscriber: Redis | undefined;
  #hits = 0;
  #misses = 0;
  #fills = 0;
  #errors = 0;

  constructor(options: RedisTierOptions) {
    this.#prefix = options.prefix ?? 'cellar:';
    this.#url = options.url;
    const redis = newRedis(options.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.on('error', () => undefined); // failures surface on the commands, which callers count
    redis.defineCommand('cellarGet', { lua: GET });
    redis.defineCommand('cellarSet', { lua: SET });
    redis.defineCommand('cellarInvalidate', { lua: INVALIDATE });
    this.#redis = redis as Redis & RedisScripts;
  }

  /** Resolves when connected (or rejects after `timeoutMs`). */
  ready(timeoutMs = 2000): Promise<void> {
    if (this.#redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.#redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async get(key: string, tags: readonly string[]): Promise<TierRead> {
    const names = [keyTag(key), ...tags];
    const tokenKeys = names.map((n) => this.#token(n));
    const reply = await this.#counted(this.#redis.cellarGet(1 + tokenKeys.length, this.#entryKey(key), ...tokenKeys, `${this.#prefix}seq`, String(TOKEN_TTL_MS)));
    const ticket = new Map(tokenKeys.map((k, i) => [k, String(reply[i + 1])]));
    const raw = reply[0];
    if (typeof raw !== 'string') {
      this.#misses++;
      return { entry: undefined, ticket };
    }
    this.#hits++;
    const stored = JSON.parse(raw) as { v: string; f: number; s: number; c: number; t: string[] };
    return { entry: { value: decodeValue(stored.v), freshUntil: stored.f, staleUntil: stored.s, computeMs: stored.c, tags: stored.t }, ticket };
  }

  async set(key: string, entry: CacheEntry, ticket: unknown): Promise<void> {
    const tokens = ticket as Map<string, string>;
    const ttl = Math.max(1, Math.ceil(entry.staleUntil - Date.now()));
    const text = JSON.stringify({ v: encodeValue(entry.value), f: entry.freshUntil, s: entry.staleUntil, c: entry.computeMs, t: entry.tags, k: Object.fromEntries(tokens) });
    const stored = await this.#counted(this.#redis.cellarSet(1 + tokens.size, this.#entryKey(key), ...tokens.keys(), text, String(ttl), ...tokens.values()));
    if (stored === 1) this.#fills++;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#counted(this.#redis.cellarInvalidate(keys.length, ...keys.map((k) => this.#token(keyTag(k))), `${this.#prefix}seq`, String(TOKEN_TTL_MS)));
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    await this.#counted(this.#redis.cellarInvalidate(tags.length, ...tags.map((t) => this.#token(t)), `${this.#prefix}seq`, String(TOKEN_TTL_MS)));
  }

  /** Publishes an invalidation message to the other processes. */
  async publish(message: string): Promise<void> {
    await this.#counted(this.#redis.publish(`${this.#prefix}invalidations`, message));
  }

  /**
   * Receives the invalidation messages of every process, on a connection of its own. `onReconnect`
   * runs when that connection comes back after a loss: messages sent meanwhile were missed.
   */
  subscribe(onMessage: (message: string) => void, onReconnect: () => void): void {
    if (this.#subscriber) return;
    const subscriber = newRedis(this.#url, { retryStrategy: (times) => Math.min(times * 200, 2000) });
    let connectedBefore = false;
    subscriber.on('error', () => undefined);
    subscriber.on('ready', () => {
      if (connectedBefore) onReconnect();
      connectedBefore = true;
    });
    subscriber.on('message', (_channel: string, message: string) => onMessage(message));
    subscriber.subscribe(`${this.#prefix}invalidations`).catch(() => undefined);
    this.#subscriber = subscriber;
  }

  stats(): TierStats {
    return { hits: this.#hits, misses: this.#misses, fills: this.#fills, evictions: 0, errors: this.#errors };
  }

  async close(): Promise<void> {
    this.#subscriber?.disconnect();
    this.#redis.disconnect();
  }

  #entryKey(key: string): string {
    return `${this.#prefix}v:${key}`;
  }

  #token(name: string): string {
    return `${this.#prefix}t:${name}`;
  }

  async #counted<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (e) {
      this.#errors++;
      throw e;
    }
  }
}
