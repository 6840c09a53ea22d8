/** Reads rows into the row cache for `SharedCache.preload`. */
export type Preloader = (
  entity: { readonly name: string },
  what: readonly PreloadKey[] | { readonly where: Readonly<Record<string, unknown>> },
) => Promise<number>;

/** A key `preload` takes: an id value, or a composite key as a tuple or an object by field (as `load` takes them). */
export type PreloadKey = bigint | number | string | boolean | Date | Uint8Array | readonly unknown[] | Readonly<Record<string, unknown>>;
