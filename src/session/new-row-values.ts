import { ValidationError } from '../errors/validation-error.js';
import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';

/**
 * The value array of a new row: every given field validated, the others defaulted, generated ones
 * set. The column at `skipIndex` is filled by the caller. Unknown fields are looked for only when the
 * count of given fields says there is one, so the common path allocates nothing but the array.
 */
export function newRowValues(meta: EntityMeta, input: Readonly<Record<string, unknown>>, skipIndex: number): unknown[] {
  const columns = meta.columns;
  const values = new Array<unknown>(columns.length);
  let matched = 0;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as ColumnMeta;
    const given = input[column.field];
    if (given !== undefined) matched++;
    if (i === skipIndex) continue;
    const generated = column.type.generated;
    if (generated === 'id') continue;
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
