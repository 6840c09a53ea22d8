import type { ColumnMeta } from '../schema/entity-meta.js';
import type { RowState } from './row-state.js';

/**
 * The PostgreSQL array literal of one column over many rows, built directly from the normalized
 * values with a per-kind element encoder. This is the hot loop of every flush.
 */
export function columnArray(column: ColumnMeta, rows: readonly RowState[]): string {
  return arrayOf(rows, column.index, elementEncoder(column));
}

/** The array literal of each row's id. */
export function idArray(rows: readonly RowState[], idIndex: number): string {
  return arrayOf(rows, idIndex, String);
}

function arrayOf(rows: readonly RowState[], index: number, encode: (v: never) => string): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const v = (rows[i] as RowState).values[index];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : encode(v as never);
  }
  return `${out}}`;
}

function elementEncoder(column: ColumnMeta): (v: never) => string {
  return column.type.arrayElement as (v: never) => string;
}
