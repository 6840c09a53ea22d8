import pg from 'pg';
import { columnTypes } from '../schema/types/registry.js';

/**
 * Text-format parsers cellar installs per query (never globally on `pg.types`, which would change
 * every other user of node-postgres in the process): int8 → bigint, numeric and date kept as the
 * exact text PostgreSQL prints, and their arrays likewise.
 */
const identity = (text: string): string => text;
/** Integers of fewer than 16 characters are exact as doubles, and BigInt(number) is about twice as fast. */
const toBigInt = (text: string): bigint => (text.length < 16 ? BigInt(+text) : BigInt(text));

const OVERRIDES = new Map<number, (text: string) => unknown>([
  [20, toBigInt], // int8
  [1700, identity], // numeric
  [1082, identity], // date
  [1016, (text) => parseUnquotedArray(text, toBigInt)], // int8[]
  [1231, (text) => parseUnquotedArray(text, identity)], // numeric[]
  [1182, (text) => parseUnquotedArray(text, identity)], // date[]
]);

/**
 * Parses the text of an int8, numeric or date array. Their elements never need quoting (digits, signs,
 * '.', '-', or NULL), so a split is exact; nested braces give nested arrays.
 */
function parseUnquotedArray(text: string, parse: (element: string) => unknown): unknown[] {
  const stack: unknown[][] = [];
  let current: unknown[] = [];
  let token = '';
  const flush = (): void => {
    if (token) current.push(token === 'NULL' ? null : parse(token));
    token = '';
  };
  for (const c of text) {
    if (c === '{') {
      stack.push(current);
      current = [];
    } else if (c === '}') {
      flush();
      const done = current;
      current = stack.pop() ?? [];
      current.push(done);
    } else if (c === ',') flush();
    else token += c;
  }
  return (current[0] as unknown[] | undefined) ?? [];
}

// Parsers the column kinds ask for (timestamp without time zone kept as text, and its arrays).
type KindParser = ((text: string) => unknown) | `array-of-${number}`;
const requested: [number, KindParser][] = Object.values(columnTypes).flatMap((type) =>
  Object.entries((type as { parsers?: Readonly<Record<number, KindParser>> }).parsers ?? {}).map(([oid, parser]): [number, KindParser] => [Number(oid), parser]),
);
for (const [oid, parser] of requested) if (typeof parser === 'function') OVERRIDES.set(oid, parser);
const parseArray = (pg.types.arrayParser as unknown as { create(text: string, element: (e: string) => unknown): { parse(): unknown[] } }).create;
for (const [oid, parser] of requested) {
  if (typeof parser === 'function') continue;
  const element = OVERRIDES.get(Number(parser.slice('array-of-'.length))) ?? ((text: string) => text);
  OVERRIDES.set(oid, (text) => parseArray(text, element).parse());
}

/** The `types` object passed with every query cellar sends. */
export const cellarTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
    const parser = format === 'binary' ? undefined : OVERRIDES.get(oid);
    return parser ?? (pg.types.getTypeParser(oid, format ?? 'text') as (text: string) => unknown);
  },
};
