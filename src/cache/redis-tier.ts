import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';

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

/** How long an invalidated key refuses to be filled again (the race window of a read older than the commit). */
const TOMBSTONE_MS = 5000;
const TOMBSTONE = '\u0000tombstone';

/**
 * The Redis tier of the shared cache, shared by every process: values as text (see the value codec),
 * tag sets, and tombstones. An invalidated key is overwritten with a short-lived tombstone instead of
 * being deleted, and fills use `SET … NX`, so a reader that read the database before a commit can
 * never put the old value back over the commit's invalidation.
 */
export class RedisTier {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #url: string;
  #subscriber: Redis | undefined;

  constructor(options: RedisTierOptions) {
    this.#prefix = options.prefix ?? 'cellar:';
    this.#url = options.url;
    this.#redis = newRedis(options.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.#redis.on('error', () => undefined); // failures surface on the commands, which callers count
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

  /** The text stored under `key`, or undefined (missing or tombstoned). */
  async get(key: string): Promise<string | undefined> {
    const text = await this.#redis.get(this.#prefix + key);
    return text === null || text === TOMBSTONE ? undefined : text;
  }

  /** Stores `text` unless the key holds anything (a value or a tombstone), and files it under its tags. */
  async fill(key: string, text: string, ttlMs: number, tags: readonly string[]): Promise<void> {
    const k = this.#prefix + key;
    const multi = this.#redis.multi().set(k, text, 'PX', ttlMs, 'NX');
    for (const tag of tags) multi.sadd(`${this.#prefix}tag:${tag}`, k).pexpire(`${this.#prefix}tag:${tag}`, Math.max(ttlMs, TOMBSTONE_MS) * 2);
    await multi.exec();
  }

  /** Tombstones keys: readers miss them, and fills are refused for a few seconds. */
  async invalidateKeys(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const multi = this.#redis.multi();
    for (const key of keys) multi.set(this.#prefix + key, TOMBSTONE, 'PX', TOMBSTONE_MS);
    await multi.exec();
  }

  /** Tombstones every key filed under the tags. */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      const setKey = `${this.#prefix}tag:${tag}`;
      const members = await this.#redis.smembers(setKey);
      const multi = this.#redis.multi();
      for (const k of members) multi.set(k, TOMBSTONE, 'PX', TOMBSTONE_MS);
      multi.del(setKey);
      await multi.exec();
    }
  }

  /** Publishes an invalidation message to the other processes. */
  async publish(message: string): Promise<void> {
    await this.#redis.publish(`${this.#prefix}invalidations`, message);
  }

  /** Receives the invalidation messages of every process (on a connection of its own). */
  subscribe(onMessage: (message: string) => void): void {
    if (this.#subscriber) return;
    const subscriber = newRedis(this.#url, { retryStrategy: (times) => Math.min(times * 200, 2000) });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, message: string) => onMessage(message));
    subscriber.subscribe(`${this.#prefix}invalidations`).catch(() => undefined);
    this.#subscriber = subscriber;
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    this.#subscriber?.disconnect();
    this.#redis.disconnect();
  }
}
