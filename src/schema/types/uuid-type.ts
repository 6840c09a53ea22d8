import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, describe, plainText, stringLiteral } from './column-type.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `col.uuid()`: `uuid`, as the lower-case hyphenated string PostgreSQL prints (any case accepted). */
export const uuidType = {
  kind: 'uuid',
  options: [],
  primitiveKey: true,
  sqlType: () => 'uuid',
  castType: () => 'uuid',
  converter: (_spec, fail) => (v) => {
    if (typeof v !== 'string') return fail(`expected a uuid string, got ${describe(v)}`);
    return UUID.test(v) ? v.toLowerCase() : fail(`"${v.slice(0, 40)}" is not a uuid (8-4-4-4-12 hex digits)`);
  },
  arrayElement: plainText, // hex digits and '-': safe unquoted
  fromDriver: (v) => String(v),
  ddlLiteral: (v) => `${stringLiteral(v as string)}::uuid`,
  factory: <const O extends ColumnOptions<string> = object>(options?: O): SpecOf<O, string> => makeSpec('uuid', options),
} satisfies ColumnType & { factory: unknown };
