/**
 * The changed columns of a loaded row. For entities of up to 31 columns a bitmask (a small integer:
 * no allocation per changed row, which a 5,000-row chunk of a bulk job would otherwise pay 5,000
 * times); for wider entities the changed column indexes, sorted, in an exact-size array.
 */
export type DirtyColumns = number | readonly number[];

/** Widest entity whose changed columns fit a bitmask (bit 30 is the last one `1 << i` keeps positive). */
const BITMASK_COLUMNS = 31;

/** `dirty` with column `index` added; `width` is the entity's column count. */
export function withDirtyColumn(dirty: DirtyColumns | null, index: number, width: number): DirtyColumns {
  if (width <= BITMASK_COLUMNS) return ((dirty as number | null) ?? 0) | (1 << index);
  const list = (dirty as readonly number[] | null) ?? [];
  if (list.includes(index)) return list;
  const out = new Array<number>(list.length + 1);
  let j = 0;
  let placed = false;
  for (const i of list) {
    if (!placed && index < i) {
      out[j++] = index;
      placed = true;
    }
    out[j++] = i;
  }
  if (!placed) out[j] = index;
  return out;
}

/** A key naming the set of changed columns: rows with equal keys are updated by one statement. */
export function dirtyKey(dirty: DirtyColumns): number | string {
  return typeof dirty === 'number' ? dirty : dirty.join(',');
}

/** The changed column indexes, ascending. */
export function dirtyIndexes(dirty: DirtyColumns): number[] {
  if (typeof dirty !== 'number') return [...dirty];
  const out: number[] = [];
  for (let i = 0; i < BITMASK_COLUMNS; i++) if (dirty & (1 << i)) out.push(i);
  return out;
}

/** Whether column `index` is among the changed ones. */
export function isDirty(dirty: DirtyColumns, index: number): boolean {
  return typeof dirty === 'number' ? (dirty & (1 << index)) !== 0 : dirty.includes(index);
}

/** `dirty` without column `index`; null when no column is left. */
export function withoutDirtyColumn(dirty: DirtyColumns, index: number): DirtyColumns | null {
  if (typeof dirty === 'number') {
    const left = dirty & ~(1 << index);
    return left === 0 ? null : left;
  }
  const left = dirty.filter((i) => i !== index);
  return left.length === 0 ? null : left;
}
