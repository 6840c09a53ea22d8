import type { ColumnMeta } from '../schema/entity-meta.js';
import { quoteElement } from '../sql/param-encoding.js';
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
  switch (column.spec.kind) {
    case 'id':
    case 'ref':
    case 'bigint':
    case 'int':
    case 'version':
    case 'float8':
    case 'decimal':
    case 'date':
      // Normalized values of these kinds are plain digits, signs, '.', 'e' and '-': safe unquoted.
      return String;
    case 'bool':
      return (v: boolean) => (v ? 't' : 'f');
    case 'timestamptz':
      return (v: Date) => quoteElement(v.toISOString());
    case 'jsonb':
      return (v: unknown) => quoteElement(JSON.stringify(v));
    case 'text':
      return quoteElement;
  }
}
