import { makeSpec, type AnyColumnSpec, type ColumnOptions, type SpecOf } from '../column-spec.js';
import { addDecimals, normalizeDecimal } from '../decimal-text.js';
import { type ColumnType, describe, type Fail, plainText } from './column-type.js';

/** Accepted for numeric columns: a decimal string, a bigint, a finite number, or a decimal object (Big, Decimal…). */
export type DecimalInput = string | bigint | number | { toString(): string };

/** Options of `col.decimal`. */
export interface DecimalOptions extends ColumnOptions<string> {
  /** Total significant digits, 1–1000. Without it the column is unconstrained `numeric`. */
  readonly precision?: number;
  /** Digits after the point, 0–precision. Default 0 when precision is given. */
  readonly scale?: number;
}

/** Matches text exactly as PostgreSQL prints numeric(p,s): no sign on zero, no leading zeros, s decimals. */
function canonicalPattern(spec: AnyColumnSpec): RegExp | undefined {
  if (spec.precision === undefined) return undefined;
  const scale = spec.scale ?? 0;
  const intDigits = spec.precision - scale;
  const fraction = scale > 0 ? `\\.\\d{${scale}}` : '';
  const nonZero = intDigits > 0 ? `-?[1-9]\\d{0,${intDigits - 1}}${fraction}` : undefined;
  return new RegExp(`^(?:${nonZero ? `${nonZero}|` : ''}0${fraction})$`);
}

function toDecimal(v: unknown, spec: AnyColumnSpec, fail: Fail): string {
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'bigint') text = v.toString();
  else if (typeof v === 'number') text = Number.isFinite(v) ? String(v) : fail(`${v} is not a finite number`);
  else if (typeof v === 'object' && v !== null && !(v instanceof Date) && !Array.isArray(v)) text = String(v);
  else return fail(`expected a decimal string, bigint, finite number or decimal object, got ${describe(v)}`);
  const result = normalizeDecimal(text, spec.precision, spec.precision === undefined ? undefined : (spec.scale ?? 0));
  return 'value' in result ? result.value : fail(result.problem);
}

/** `col.decimal()`: `numeric(p,s)`, as a string exactly as PostgreSQL prints it (scale kept). */
export const decimalType = {
  kind: 'decimal',
  options: ['precision', 'scale'],
  primitiveKey: true,
  sqlType: (spec) => (spec.precision === undefined ? 'numeric' : `numeric(${spec.precision},${spec.scale ?? 0})`),
  castType: () => 'numeric',
  converter: (spec, fail) => {
    // Values already in PostgreSQL's canonical form (the common case in batch jobs) skip the parser.
    const canonical = canonicalPattern(spec);
    return (v) => (typeof v === 'string' && canonical?.test(v) ? v : toDecimal(v, spec, fail));
  },
  arrayElement: plainText, // canonical decimals are digits, sign and '.': safe unquoted
  fromDriver: (v) => (typeof v === 'string' ? v : String(v)),
  ddlLiteral: plainText,
  add: (a, b) => addDecimals(a as string, b as string),
  optionProblems: (spec) => (spec.scale !== undefined && (spec.precision === undefined || spec.scale > spec.precision) ? ['scale needs a precision at least as large'] : []),
  factory: <const O extends DecimalOptions = object>(options?: O): SpecOf<O, string, DecimalInput> => makeSpec('decimal', options),
} satisfies ColumnType & { factory: unknown };
