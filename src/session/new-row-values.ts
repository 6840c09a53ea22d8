import { ValidationError } from '../errors/validation-error.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';

/** No columns filled by the caller (a plain insert). */
export const NO_COLUMNS: readonly number[] = [];

/**
 * The value array of a new row: every given field validated, the others defaulted, generated ones
 * set (a value given for a generated key is refused: it would be silently replaced). The columns at
 * `skip` (a parent's key) are filled by the caller. Unknown fields are looked for only when the
 * count of given fields says there is one, so the common path allocates nothing but the array.
 */
export function newRowValues(meta: EntityMeta, input: Readonly<Record<string, unknown>>, skip: readonly number[]): unknown[] {
  const columns = meta.columns;
  const values = new Array<unknown>(columns.length);
  let matched = 0;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as ColumnMeta;
    const given = input[column.field];
    if (given !== undefined) matched++;
    if (skip.length > 0 && skip.includes(i)) continue;
    const generated = column.type.generated;
    if (generated === 'id') {
      if (given !== undefined) throw ValidationError.badValue(meta.name, column.field, `is generated from the key's sequence and cannot be given; leave it out, or map the key as assigned (e.g. col.bigint() with primaryKey: '${column.field}')`);
      continue;
    }
    if (generated === 'version') values[i] = 1;
    else if (given !== undefined) values[i] = column.normalize(given);
    else if (column.defaultValue !== undefined) values[i] = typeof column.defaultValue === 'object' ? structuredClone(column.defaultValue) : column.defaultValue;
    else if (column.spec.nullable) values[i] = null;
    else throw ValidationError.badValue(meta.name, column.field, 'is required');
  }
  let given = 0;
  for (const key in input) if (input[key] !== undefined) given++;
  if (given !== matched) {
    for (const key of Object.keys(input)) if (!meta.field(key)) throw ValidationError.unknownField(meta.name, key);
  }
  return values;
}
