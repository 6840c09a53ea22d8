import type { ColumnType } from './column-type.js';
import { boolType } from './bool-type.js';
import { byteaType } from './bytea-type.js';
import { charType } from './char-type.js';
import { dateType } from './date-type.js';
import { decimalType } from './decimal-type.js';
import { float4Type, float8Type } from './float-types.js';
import { int2Type } from './int2-type.js';
import { bigintType, idType, identityType, refType } from './int8-types.js';
import { jsonbType } from './jsonb-type.js';
import { intType, versionType } from './small-int-types.js';
import { textType } from './text-type.js';
import { timestampType } from './timestamp-type.js';
import { timestamptzType } from './timestamptz-type.js';
import { uuidType } from './uuid-type.js';
import { varcharType } from './varchar-type.js';

/**
 * Every column kind cellar knows, by name: its behaviour and its `col.*` factory. A new kind is one
 * file in this folder and one line here; the kind list of the definition schema, `ColumnKind` and
 * `col` all derive from this object.
 */
export const columnTypes = {
  id: idType,
  identity: identityType,
  ref: refType,
  bigint: bigintType,
  int: intType,
  int2: int2Type,
  text: textType,
  varchar: varcharType,
  char: charType,
  decimal: decimalType,
  date: dateType,
  timestamp: timestampType,
  timestamptz: timestamptzType,
  bool: boolType,
  float8: float8Type,
  float4: float4Type,
  jsonb: jsonbType,
  uuid: uuidType,
  bytea: byteaType,
  version: versionType,
} satisfies Record<string, ColumnType & { readonly factory: unknown }>;

/** The column kinds cellar knows (see docs/entities-and-types.md). */
export type ColumnKind = keyof typeof columnTypes;

/** The kinds, for the definition schema. */
export const COLUMN_KINDS = Object.keys(columnTypes) as ColumnKind[];

/** The behaviour of a kind (one the definition schema accepted). */
export function columnTypeOf(kind: string): ColumnType {
  return columnTypes[kind as ColumnKind];
}

/** The type of {@link col}: one factory per column kind. */
export type ColumnFactories = { readonly [K in ColumnKind]: (typeof columnTypes)[K]['factory'] };

/**
 * Column factories for `defineEntity`, one per kind.
 *
 * @example
 * ```ts
 * columns: {
 *   id: col.id(),
 *   docNumber: col.text({ maxLength: 40 }),
 *   state: col.text({ enum: ['draft', 'approved'], default: 'draft' }),
 *   total: col.decimal({ precision: 18, scale: 2, nullable: true }),
 * }
 * ```
 */
export const col: ColumnFactories = Object.freeze(Object.fromEntries(Object.entries(columnTypes).map(([kind, type]) => [kind, type.factory])) as unknown as ColumnFactories);
