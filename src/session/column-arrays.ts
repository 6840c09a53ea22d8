import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import type { RowState } from './row-state.js';

/**
 * The PostgreSQL array literal of one column over many rows, built directly from the normalized
 * values with a per-kind element encoder. This is the hot loop of every flush.
 */
export function columnArray(column: ColumnMeta, rows: readonly RowState[]): string {
  return arrayOf(rows, column.index, elementEncoder(column));
}

/** The PostgreSQL array literal of canonical values of one column (deltas of an increment). */
export function valuesArray(column: ColumnMeta, values: readonly unknown[]): string {
  const encode = elementEncoder(column);
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : encode(v as never);
  }
  return `${out}}`;
}

/** The array literals of the rows' keys: one per key column (`$1`, `$2` … of the key-taking statements). */
export function keyArrays(meta: EntityMeta, rows: readonly RowState[]): string[] {
  const columns = meta.key.columns;
  if (columns.length === 1) return [columnArray(columns[0] as ColumnMeta, rows)];
  return columns.map((c) => columnArray(c, rows));
}

/** The array literals of ids (as `KeyMeta.normalize` gives them): one per key column. */
export function keyArraysOfIds(meta: EntityMeta, ids: readonly unknown[]): string[] {
  const { key } = meta;
  return key.columns.map((c, k) => {
    const encode = elementEncoder(c);
    let out = '{';
    for (let i = 0; i < ids.length; i++) {
      const v = key.index >= 0 ? ids[i] : (ids[i] as readonly unknown[])[k];
      if (i > 0) out += ',';
      out += v === null || v === undefined ? 'NULL' : encode(v as never);
    }
    return `${out}}`;
  });
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
