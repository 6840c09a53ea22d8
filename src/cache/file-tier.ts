import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import cacache from 'cacache';
import { type CacheEntry, type CacheTier, keyTag, type TierRead, type TierStats } from './cache-tier.js';
import { decodeValue, encodeValue } from './value-codec.js';

/** Options of {@link FileTier}. */
export interface FileTierOptions {
  /** The cache directory; several processes may share it. */
  readonly dir: string;
  /** Most bytes of values kept (default 256 MiB); past it the oldest entries go. */
  readonly maxBytes?: number;
}

interface StoredMeta {
  readonly f: number;
  readonly s: number;
  readonly c: number;
  readonly t: readonly string[];
  /** The tokens the entry's load started under, by token file name. */
  readonly k: Readonly<Record<string, string>>;
}

/**
 * A persistent tier on disk (the original platform's file cache): a batch job or CLI that restarts
 * finds its warm cache. Entries are kept by cacache (npm's own content-addressable cache): content is
 * written to a temporary file and moved into place, and verified against its hash on every read, so
 * a process never reads a torn value, whatever the other processes sharing the directory do.
 * Invalidation is by token, as in the Redis tier: each tag (and each key) has a small token file,
 * replaced atomically (write, then rename) by an invalidation; an entry is served only while the
 * tokens it was stored with are current. Bounded by bytes: when the values written since the last
 * check pass a tenth of `maxBytes`, the oldest and expired entries are removed.
 */
export class FileTier implements CacheTier {
  readonly name = 'file';
  readonly #dir: string;
  readonly #tokens: string;
  readonly #maxBytes: number;
  #writtenSinceCheck = Number.POSITIVE_INFINITY; // check on the first write after start
  #evicting: Promise<void> | undefined;
  #hits = 0;
  #misses = 0;
  #fills = 0;
  #evictions = 0;
  #errors = 0;

  constructor(options: FileTierOptions) {
    this.#dir = path.resolve(options.dir);
    this.#tokens = path.join(this.#dir, 'cellar-tokens');
    this.#maxBytes = options.maxBytes ?? 256 * 2 ** 20;
    mkdirSync(this.#tokens, { recursive: true });
  }

  async get(key: string, tags: readonly string[]): Promise<TierRead> {
    const names = [keyTag(key), ...tags];
    const files = names.map((n) => this.#tokenFile(n));
    // Token files are never deleted, so "absent" (recorded as '') can only change to a token, never
    // back: a ticket may hold it, and a get writes nothing.
    const tokens = await Promise.all(files.map((f) => this.#currentToken(f)));
    const ticket = Object.fromEntries(files.map((f, i) => [path.basename(f), tokens[i] ?? '']));
    const entry = await this.#read(key);
    if (entry) this.#hits++;
    else this.#misses++;
    return { entry, ticket };
  }

  async set(key: string, entry: CacheEntry, ticket: unknown): Promise<void> {
    const meta: StoredMeta = { f: entry.freshUntil, s: entry.staleUntil, c: entry.computeMs, t: entry.tags, k: ticket as Record<string, string> };
    const data = encodeValue(entry.value);
    await this.#counted(cacache.put(this.#dir, key, data, { metadata: meta, memoize: false }));
    this.#fills++;
    this.#writtenSinceCheck += Buffer.byteLength(data);
    if (this.#writtenSinceCheck > this.#maxBytes / 10) this.#evicting ??= this.#evict().finally(() => (this.#evicting = undefined));
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.#renew(this.#tokenFile(keyTag(k)))));
    await Promise.all(keys.map((k) => this.#counted(removeEntry(this.#dir, k)).catch(() => undefined)));
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    await Promise.all(tags.map((t) => this.#renew(this.#tokenFile(t))));
  }

  stats(): TierStats {
    return { hits: this.#hits, misses: this.#misses, fills: this.#fills, evictions: this.#evictions, errors: this.#errors };
  }

  async close(): Promise<void> {
    await this.#evicting;
  }

  async #read(key: string): Promise<CacheEntry | undefined> {
    let found: { data: Buffer; metadata?: unknown };
    try {
      found = await cacache.get(this.#dir, key, { memoize: false });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTCACHED') this.#errors++; // EINTEGRITY included: a damaged file is a miss
      return undefined;
    }
    const meta = found.metadata as StoredMeta | undefined;
    if (!meta || meta.s <= Date.now()) return undefined;
    for (const [file, token] of Object.entries(meta.k)) {
      if (((await this.#currentToken(path.join(this.#tokens, file))) ?? '') !== token) return undefined;
    }
    return { value: decodeValue(found.data.toString('utf8')), freshUntil: meta.f, staleUntil: meta.s, computeMs: meta.c, tags: meta.t };
  }

  #tokenFile(name: string): string {
    return path.join(this.#tokens, createHash('sha256').update(name).digest('hex').slice(0, 40));
  }

  /** The token in `file`, or undefined when none was ever written. */
  async #currentToken(file: string): Promise<string | undefined> {
    try {
      return await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Replaces a token atomically: written next to it, then renamed over it. */
  async #renew(file: string): Promise<void> {
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await this.#counted(writeFile(temp, newToken()).then(() => rename(temp, file)));
  }

  /** Removes expired entries, then the oldest ones until the values take at most 80 % of maxBytes. */
  async #evict(): Promise<void> {
    this.#writtenSinceCheck = 0;
    try {
      const entries = Object.values(await cacache.ls(this.#dir));
      const now = Date.now();
      let total = 0;
      const live: { key: string; size: number; time: number; integrity: string }[] = [];
      const gone: { key: string; integrity: string }[] = [];
      for (const e of entries) {
        const meta = e.metadata as StoredMeta | undefined;
        if (!meta || meta.s <= now) gone.push(e);
        else {
          live.push({ key: e.key, size: e.size ?? 0, time: e.time, integrity: e.integrity });
          total += e.size ?? 0;
        }
      }
      live.sort((a, b) => a.time - b.time);
      for (const e of live) {
        if (total <= this.#maxBytes * 0.8) break;
        gone.push(e);
        total -= e.size;
      }
      for (const e of gone) {
        await removeEntry(this.#dir, e.key);
        await cacache.rm.content(this.#dir, e.integrity);
        this.#evictions++;
      }
    } catch {
      this.#errors++;
    }
  }

  async #counted<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (e) {
      this.#errors++;
      throw e;
    }
  }
}

function newToken(): string {
  return randomBytes(12).toString('hex');
}

/** Removes a key's index bucket entirely (cacache takes `removeFully`, which its types omit). */
function removeEntry(dir: string, key: string): Promise<unknown> {
  return (cacache.rm.entry as (cache: string, key: string, options: { removeFully: boolean }) => Promise<unknown>)(dir, key, { removeFully: true });
}
