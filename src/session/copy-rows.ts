import type { ColumnMeta, EntityMeta } from '../schema/entity-meta.js';
import { copyEscape, plainText } from '../schema/types/column-type.js';
import type { RowState } from './row-state.js';

/** Characters per piece handed to the COPY stream: one write per row would cost more than COPY saves. */
const PIECE_CHARS = 65_536;

/**
 * The rows of an insert in `COPY … FROM STDIN` text format (every column, in the entity's order),
 * in pieces of about 64 KB, produced as the stream asks for them: the whole text never exists at once.
 */
export function* copyPieces(meta: EntityMeta, rows: readonly RowState[]): Generator<string> {
  const encoders = meta.columns.map(copyEncoder);
  const last = encoders.length - 1;
  let piece = '';
  for (const row of rows) {
    const values = row.values;
    for (let i = 0; i <= last; i++) {
      const v = values[i];
      piece += v === null || v === undefined ? '\\N' : (encoders[i] as (v: unknown) => string)(v);
      piece += i === last ? '\n' : '\t';
    }
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece.length > 0) yield piece;
}

/** The kind's own COPY text, else its array element unquoted and escaped (the same text, told twice). */
function copyEncoder(column: ColumnMeta): (v: unknown) => string {
  const { type } = column;
  if (type.copyText) return type.copyText.bind(type);
  if (type.arrayElement === plainText) return plainText;
  return (v) => {
    const element = type.arrayElement(v);
    return copyEscape(element.startsWith('"') ? element.slice(1, -1).replace(/\\([\s\S])/g, '$1') : element);
  };
}
