import { describe, type Fail } from './column-type.js';

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** An int8 as bigint; a safe-integer number is accepted. */
export function toInt8(v: unknown, fail: Fail): bigint {
  if (typeof v === 'bigint') return v >= INT8_MIN && v <= INT8_MAX ? v : fail(`${v} is out of the int8 range`);
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) ? BigInt(v) : fail(`${v} is not a safe integer; pass a bigint (e.g. ${Number.isFinite(v) ? "BigInt('…')" : '1n'})`);
  }
  return fail(`expected a bigint or a safe integer number, got ${describe(v)}`);
}

/** An integer of `bits` (16 or 32) as number; a bigint in range is accepted. */
export function toSmallInt(v: unknown, bits: 16 | 32, fail: Fail): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  const n = typeof v === 'bigint' && v >= BigInt(min) && v <= BigInt(max) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) return fail(`expected an integer, got ${describe(v)}`);
  return n >= min && n <= max ? n : fail(`${n} is out of the int${bits / 8} range`);
}

/** A driver value (int8 text parsed to bigint, or a number) as bigint. */
export function bigintFromDriver(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as string | number);
}

/** A driver value as number. */
export function numberFromDriver(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}
