/**
 * The document workload of the six shapes: `DOCS` documents × `LINES` lines × `LOTS` lots, the same
 * generated values on both sides, and what each shape touches.
 */
export interface Workload {
  readonly docs: number;
  readonly lines: number;
  readonly lots: number;
  /** Documents S2, S3 and S6 work on. */
  readonly picked: number;
  /** Lines S4 goes through, and its chunk size. */
  readonly chunked: number;
  readonly chunkSize: number;
  /** Lookups S5 makes. */
  readonly lookups: number;
}

/** The workload: 5,000 documents × 20 lines × 2 lots (305,000 rows). */
export const FULL: Workload = { docs: 5000, lines: 20, lots: 2, picked: 1000, chunked: 100_000, chunkSize: 5000, lookups: 100_000 };

/** One document's values. */
export const docValues = (d: number) => ({ docNumber: `D-${d}`, docDate: '2026-11-21', total: `${d % 1000}.50` });

/** One line's values (`n` counts lines over all documents). */
export const lineValues = (n: number, l: number) => ({ nOrder: l, idItem: BigInt(n % 1000), qty: '1.000', price: `${n % 100}.25` });

/** One lot's values. */
export const lotValues = (n: number, k: number) => ({ lotCode: `L-${n}-${k}`, qty: '0.500' });

/** The new values S3 gives a line (`round` differs between runs: an unchanged value is not written). */
export const s3Values = (round: number, n: number) => ({ qty: `${(round * 7 + n) % 900}.125`, price: `${(round * 3 + n) % 90}.75` });

/** The new quantity S4 gives a line. */
export const s4Qty = (round: number, chunk: number): string => `${(round * 11 + chunk) % 997}.375`;
