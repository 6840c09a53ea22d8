import { col, defineEntity } from '../../src/index.js';

/** A read-mostly entity kept in the shared cache (the entity-cache specs and their peer process). */
export const Rate = defineEntity({
  name: 'Rate',
  cache: { ttlMs: 60_000, maxEntries: 1000 },
  columns: { id: col.id(), code: col.text({ maxLength: 3 }), rate: col.decimal({ precision: 18, scale: 6 }), at: col.timestamptz({ nullable: true }) },
});
