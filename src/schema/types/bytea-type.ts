import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, describe } from './column-type.js';

/** `col.bytea()`: `bytea`, as a `Buffer` (any `Uint8Array` is accepted and copied into one). */
export const byteaType = {
  kind: 'bytea',
  options: [],
  primitiveKey: false,
  sqlType: () => 'bytea',
  castType: () => 'bytea',
  converter: (_spec, fail) => (v) => {
    if (Buffer.isBuffer(v)) return v;
    return v instanceof Uint8Array ? Buffer.from(v) : fail(`expected a Buffer or Uint8Array, got ${describe(v)}`);
  },
  // In an array literal, the element "\\x0102" is the text \x0102: bytea's hex input form.
  arrayElement: (v) => `"\\\\x${(v as Buffer).toString('hex')}"`,
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array)),
  ddlLiteral: (v) => `'\\x${(v as Buffer).toString('hex')}'::bytea`,
  factory: <const O extends ColumnOptions<Buffer> = object>(options?: O): SpecOf<O, Buffer, Buffer | Uint8Array> => makeSpec('bytea', options),
} satisfies ColumnType & { factory: unknown };
