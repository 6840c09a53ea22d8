/**
 * Decimal literals handled as text, so a value never passes through a binary float.
 * `normalizeDecimal('2.5', 18, 3)` → `'2.500'`, exactly as PostgreSQL prints numeric(18,3).
 */

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Why a decimal was refused, in words meant for the user. */
export type DecimalProblem = string;

/**
 * Canonical text of a decimal literal for numeric(precision, scale), or a problem description.
 * Exponent forms (`1.5e3`, as some decimal libraries print) are expanded. Digits past `scale` are
 * accepted only when they are zeros: cellar never rounds silently.
 */
export function normalizeDecimal(text: string, precision?: number, scale?: number): { value: string } | { problem: DecimalProblem } {
  const m = DECIMAL.exec(text);
  if (!m || (!m[2] && !m[3])) return { problem: `"${truncate(text)}" is not a decimal number` };
  const negative = m[1] === '-';
  let intDigits = m[2] ?? '';
  let fracDigits = m[3] ?? '';
  const exponent = m[4] ? Number(m[4]) : 0;
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 100_000) return { problem: `"${truncate(text)}" has an exponent out of range` };
  if (exponent > 0) {
    const shifted = fracDigits.padEnd(exponent, '0');
    intDigits += shifted.slice(0, exponent);
    fracDigits = shifted.slice(exponent);
  } else if (exponent < 0) {
    const shifted = intDigits.padStart(-exponent, '0');
    fracDigits = shifted.slice(shifted.length + exponent) + fracDigits;
    intDigits = shifted.slice(0, shifted.length + exponent);
  }
  intDigits = intDigits.replace(/^0+/, '');
  if (scale !== undefined) {
    if (fracDigits.length > scale) {
      if (/[^0]/.test(fracDigits.slice(scale))) {
        return { problem: `${truncate(text)} has ${fracDigits.length} digits after the point but the column keeps ${scale}; round it first` };
      }
      fracDigits = fracDigits.slice(0, scale);
    } else {
      fracDigits = fracDigits.padEnd(scale, '0');
    }
  }
  if (precision !== undefined && intDigits.length > precision - (scale ?? 0)) {
    return { problem: `${truncate(text)} does not fit numeric(${precision},${scale ?? 0}): at most ${precision - (scale ?? 0)} digits before the point` };
  }
  const isZero = !/[1-9]/.test(intDigits) && !/[1-9]/.test(fracDigits);
  const sign = negative && !isZero ? '-' : '';
  return { value: `${sign}${intDigits || '0'}${fracDigits ? `.${fracDigits}` : ''}` };
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The exact sum of two canonical decimal texts (`'10.50' + '-0.125'` → `'10.375'`), scale the larger of the two. */
export function addDecimals(a: string, b: string): string {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const sum = scaled(a, scale) + scaled(b, scale);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''}`;
}

function scaleOf(text: string): number {
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

/** A canonical decimal text as an integer of `scale` decimals (`'1.5'`, 3 → 1500n). */
function scaled(text: string, scale: number): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  const negative = whole.startsWith('-');
  const magnitude = BigInt(`${negative ? whole.slice(1) : whole}${fraction.padEnd(scale, '0')}`);
  return negative ? -magnitude : magnitude;
}
