import type { ColumnMeta } from '../schema/entity-meta.js';
import { statementsFor } from './entity-statements.js';
import type { WriteOperation } from './flush-planner.js';

/** Most rows a flush writes in one combined statement; larger flushes write per operation and chunk. */
export const COMBINED_MAX_ROWS = 1000;

/**
 * One statement for the inserts and updates of a small flush: each operation a data-modifying CTE
 * (`WITH w0 AS (INSERT …), w1 AS (UPDATE … RETURNING …) …`), so a short transaction's writes cost
 * one round trip instead of one per entity. PostgreSQL runs every part to completion and checks
 * foreign keys at the end of the statement, so parents and children may be written side by side;
 * no row appears in two parts (the planner gives each row one operation), so no part can undo
 * another. The final SELECT returns the updated rows' keys and incremented values, each part in
 * columns of its own (`NULL` elsewhere), tagged with the part's number.
 */
export interface CombinedWrite {
  readonly text: string;
  /** Per operation: the result column where its returned values start, or -1 for an insert. */
  readonly offsets: readonly number[];
  /** The tables written, `doc, doc_line` (the statement's span and log name them). */
  readonly tables: string;
}

interface CacheNode {
  readonly next: Map<string, CacheNode>;
  value?: CombinedWrite;
}

/**
 * Built statements by the sequence of their parts' SQL (the entity statements' own cached strings,
 * whose hashes V8 keeps): a transaction's flush finds its statement in a few lookups, and the
 * statement's text is the same string every time. At most 1,000 shapes are kept.
 */
const built: CacheNode = { next: new Map() };
let builtCount = 0;

/** The combined statement of `operations` (inserts and updates only), parameters in operation order. */
export function combinedWrite(operations: readonly WriteOperation[]): CombinedWrite {
  let node = built;
  for (const op of operations) {
    const sql = partSql(op);
    let next = node.next.get(sql);
    if (next === undefined) {
      if (builtCount >= 1000) return build(operations);
      node.next.set(sql, (next = { next: new Map() }));
      builtCount++;
    }
    node = next;
  }
  return (node.value ??= build(operations));
}

function partSql(op: WriteOperation): string {
  const statements = statementsFor(op.meta);
  return op.kind === 'insert' ? statements.insert : statements.updateReturning(op.columns, op.incremented);
}

function build(operations: readonly WriteOperation[]): CombinedWrite {
  const parts: string[] = [];
  const offsets: number[] = [];
  /** Per update part: the aliases it returns (`k0…`, `r0…`) and their cast types. */
  const returning: { part: number; aliases: string[]; casts: string[] }[] = [];
  let params = 0;
  let width = 1; // column 0: the part's number
  operations.forEach((op, n) => {
    const sql = partSql(op);
    let used = 0;
    const shifted = sql.replace(/\$(\d+)::/g, (_, d: string) => {
      used = Math.max(used, Number(d));
      return `$${Number(d) + params}::`;
    });
    parts.push(`w${n} AS (${shifted})`);
    params += used;
    if (op.kind === 'insert') {
      offsets.push(-1);
      return;
    }
    const keys = op.meta.key.columns;
    const incremented = op.incremented.map((i) => op.meta.columns[i] as ColumnMeta);
    offsets.push(width);
    returning.push({ part: n, aliases: [...keys.map((_, j) => `k${j}`), ...incremented.map((_, j) => `r${j}`)], casts: [...keys, ...incremented].map((c) => c.castType) });
    width += keys.length + incremented.length;
  });
  // Each update part fills its own columns; the others' are typed NULLs, so UNION ALL lines up.
  const selects = returning.map(({ part }) => {
    const cells = returning.flatMap((other) => other.aliases.map((alias, j) => (other.part === part ? `w${part}.${alias}` : `NULL::${other.casts[j] as string}`)));
    return `SELECT ${part} AS part, ${cells.join(', ')} FROM w${part}`;
  });
  const tail = selects.length > 0 ? selects.join(' UNION ALL ') : 'SELECT NULL::int4 AS part WHERE false';
  return { text: `WITH ${parts.join(', ')} ${tail}`, offsets, tables: [...new Set(operations.map((op) => op.meta.table))].join(', ') };
}
