import { makeSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { type ColumnType, quoteElement, copyEscape, stringLiteral } from './column-type.js';
import { textConverter } from './text-checks.js';

/** Options of `col.char`. */
export interface CharOptions extends ColumnOptions<string> {
  /** The declared length `n` of `char(n)`. */
  readonly length: number;
}

/**
 * `col.char({ length })`: `char(n)` (bpchar), as `string`. PostgreSQL pads values with spaces to n
 * characters and returns them padded; cellar pads on the way in too, so a rop holds exactly what a
 * later read returns (`'ab'` in `char(4)` is `'ab  '`).
 */
export const charType = {
  kind: 'char',
  options: ['length'],
  primitiveKey: true,
  sqlType: (spec) => `char(${spec.length})`,
  castType: () => 'bpchar',
  converter: (spec, fail) => {
    const check = textConverter(spec, spec.length, fail);
    const length = spec.length ?? 1;
    return (v) => {
      const text = check(v);
      const missing = length - [...text].length;
      return missing > 0 ? text + ' '.repeat(missing) : text;
    };
  },
  arrayElement: (v) => quoteElement(v as string),
  copyText: (v) => copyEscape(v as string),
  fromDriver: (v) => (typeof v === 'string' ? v : String(v)),
  ddlLiteral: (v) => stringLiteral(v as string),
  optionProblems: (spec) => (spec.length === undefined ? ['col.char needs a length'] : []),
  factory: <const O extends CharOptions>(options: O): SpecOf<O, string> => makeSpec('char', options),
} satisfies ColumnType & { factory: unknown };
