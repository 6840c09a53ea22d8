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
    return this.#last(values, positions, false)?.get(this.#part(values, positions, this.#depth - 1)) as V | undefined;
  }

  set(values: readonly unknown[], positions: readonly number[], value: V): void {
    const level = this.#last(values, positions, true) as Level<V>;
    const part = this.#part(values, positions, this.#depth - 1);
    if (!level.has(part)) this.#size++;
    level.set(part, value);
  }

  delete(values: readonly unknown[], positions: readonly number[]): boolean {
    const deleted = this.#last(values, positions, false)?.delete(this.#part(values, positions, this.#depth - 1)) === true;
    if (deleted) this.#size--;
    return deleted;
  }

  /** The map key of key column `i`. */
  #part(values: readonly unknown[], positions: readonly number[], i: number): MapKey {
    return (this.partKeys[i] as (v: unknown) => MapKey)(values[positions[i] as number]);
  }

  /** The innermost level holding the key's last part (made on the way with `create`). */
  #last(values: readonly unknown[], positions: readonly number[], create: boolean): Level<V> | undefined {
    let level = this.#root;
    for (let i = 0; i < this.#depth - 1; i++) {
      const part = this.#part(values, positions, i);
      let next = level.get(part) as Level<V> | undefined;
      if (next === undefined) {
        if (!create) return undefined;
        level.set(part, (next = new Map()));
      }
      level = next;
    }
    return level;
  }

  *values(): IterableIterator<V> {
    yield* walk(this.#root, this.#depth);
  }
}

function* walk<V>(level: Level<V>, depth: number): IterableIterator<V> {
  if (depth === 1) yield* level.values() as IterableIterator<V>;
  else for (const next of level.values()) yield* walk(next as Level<V>, depth - 1);
}
