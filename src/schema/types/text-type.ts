import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, quoteElement, copyEscape, stringLiteral } from './column-type.js';
import { enumProblems, textConverter } from './text-checks.js';

/** Options of `col.text`. */
export interface TextOptions<E extends string = string> extends ColumnOptions<E> {
  /** Maximum length in characters; the column becomes `varchar(n)`. */
  readonly maxLength?: number;
  /** Allowed values; the column gets a CHECK constraint and the value type becomes their union. */
  readonly enum?: readonly E[];
}

/** `col.text()`: `text`, or `varchar(n)` with `maxLength`; `enum` narrows the type to a union of literals. */
export const textType = {
  kind: 'text',
  options: ['maxLength', 'enum'],
  primitiveKey: true,
  sqlType: (spec) => (spec.maxLength === undefined ? 'text' : `varchar(${spec.maxLength})`),
  castType: () => 'text',
  converter: (spec, fail) => textConverter(spec, spec.maxLength, fail),
  arrayElement: (v) => quoteElement(v as string),
  copyText: (v) => copyEscape(v as string),
  fromDriver: (v) => (typeof v === 'string' ? v : String(v)),
  ddlLiteral: (v) => stringLiteral(v as string),
  optionProblems: (spec) => enumProblems(spec, spec.maxLength, 'maxLength'),
  factory: <const O extends TextOptions = object>(options?: O): SpecOf<O, O extends { enum: readonly (infer E)[] } ? E : string> => makeSpec('text', options),
} satisfies ColumnType & { factory: unknown };
