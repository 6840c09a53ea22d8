import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, quoteElement, copyEscape, stringLiteral } from './column-type.js';
import { enumProblems, textConverter } from './text-checks.js';

/** Options of `col.varchar`. */
export interface VarcharOptions<E extends string = string> extends ColumnOptions<E> {
  /** The declared length `n` of `varchar(n)`, in characters. */
  readonly length: number;
  /** Allowed values; the value type becomes their union. */
  readonly enum?: readonly E[];
}

/** `col.varchar({ length })`: `varchar(n)`, as `string` of at most n characters (for schemas that declare it). */
export const varcharType = {
  kind: 'varchar',
  options: ['length', 'enum'],
  primitiveKey: true,
  sqlType: (spec) => `varchar(${spec.length})`,
  castType: () => 'varchar',
  converter: (spec, fail) => textConverter(spec, spec.length, fail),
  arrayElement: (v) => quoteElement(v as string),
  copyText: (v) => copyEscape(v as string),
  fromDriver: (v) => (typeof v === 'string' ? v : String(v)),
  ddlLiteral: (v) => stringLiteral(v as string),
  optionProblems: (spec) => [...(spec.length === undefined ? ['col.varchar needs a length'] : []), ...enumProblems(spec, spec.length, 'length')],
  factory: <const O extends VarcharOptions>(options: O): SpecOf<O, O extends { enum: readonly (infer E)[] } ? E : string> => makeSpec('varchar', options),
} satisfies ColumnType & { factory: unknown };
