import type { MapKey } from '../schema/keys.js';

type Level<V> = Map<MapKey, Level<V> | V>;

/**
 * A map keyed by several values (a composite primary key), as nested Maps of one primitive key per
 * level. Each lookup reads the key values in place — from a row's values at the key's positions, or
 * from an id tuple — so no key string is built, hashed or collected: a three-int key costs three
 * small-integer lookups.
 */
export class TupleMap<V> {
  readonly #root: Level<V> = new Map();
  #size = 0;

  readonly #depth: number;

  /** `partKeys`: per level, the map key of a value (see `KeyMeta.partKeys`). */
  constructor(private readonly partKeys: readonly ((value: unknown) => MapKey)[]) {
    this.#depth = partKeys.length;
  }

  get size(): number {
    return this.#size;
  }

  /** The value under the key held at `positions` of `values`. */
  get(values: readonly unknown[], positions: readonly number[]): V | undefined {
    let level = this.#root;
    const last = this.#depth - 1;
    const keys = this.partKeys;
    for (let i = 0; i < last; i++) {
      const next = level.get((keys[i] as (v: unknown) => MapKey)(values[positions[i] as number])) as Level<V> | undefined;
      if (next === undefined) return undefined;
      level = next;
    }
    return level.get((keys[last] as (v: unknown) => MapKey)(values[positions[last] as number])) as V | undefined;
  }

  set(values: readonly unknown[], positions: readonly number[], value: V): void {
    let level = this.#root;
    const last = this.#depth - 1;
    const keys = this.partKeys;
    for (let i = 0; i < last; i++) {
      const part = (keys[i] as (v: unknown) => MapKey)(values[positions[i] as number]);
      let next = level.get(part) as Level<V> | undefined;
      if (next === undefined) level.set(part, (next = new Map()));
      level = next;
    }
    const part = (keys[last] as (v: unknown) => MapKey)(values[positions[last] as number]);
    if (!level.has(part)) this.#size++;
    level.set(part, value);
  }

  delete(values: readonly unknown[], positions: readonly number[]): boolean {
    let level = this.#root;
    const last = this.#depth - 1;
    const keys = this.partKeys;
    for (let i = 0; i < last; i++) {
      const next = level.get((keys[i] as (v: unknown) => MapKey)(values[positions[i] as number])) as Level<V> | undefined;
      if (next === undefined) return false;
      level = next;
    }
    const deleted = level.delete((keys[last] as (v: unknown) => MapKey)(values[positions[last] as number]));
    if (deleted) this.#size--;
    return deleted;
  }

  *values(): IterableIterator<V> {
    yield* walk(this.#root, this.#depth);
  }
}

function* walk<V>(level: Level<V>, depth: number): IterableIterator<V> {
  if (depth === 1) yield* level.values() as IterableIterator<V>;
  else for (const next of level.values()) yield* walk(next as Level<V>, depth - 1);
}
