import { SqlParamError } from '../errors/sql-param-error.js';

/** SQL with `{name}` placeholders rewritten to `$1…$n`, and the names in placeholder order. */
export interface CompiledSql {
  readonly text: string;
  readonly names: readonly string[];
}

const cache = new Map<string, CompiledSql>();
const CACHE_LIMIT = 2000;
const NAME = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * Rewrites `{name}` placeholders to positional `$n`. Placeholders are recognised only in SQL code:
 * never inside '…' strings (including E'…' escapes), "…" identifiers, $tag$…$tag$ bodies, -- and
 * nested /* *\/ comments. A name used twice gets one position. `{ids}::int8[]` works as written.
 * Any other `{` in SQL code is an error here (`SQL_PARAM`): PostgreSQL's grammar has no use for it,
 * so it can only be a mistyped parameter. Results are memoized, since the same statements run
 * millions of times in batch jobs.
 */
export function compileNamedSql(sql: string): CompiledSql {
  const hit = cache.get(sql);
  if (hit) return hit;
  const compiled = scan(sql);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(sql, compiled);
  return compiled;
}

/**
 * Values for a compiled statement, in position order. Every missing name is reported at once, and
 * so is every given name the SQL does not use (a typo would otherwise pass silently).
 */
export function bindNamedParams(compiled: CompiledSql, params: Readonly<Record<string, unknown>>, encode: (v: unknown) => unknown): unknown[] {
  const values = new Array<unknown>(compiled.names.length);
  let missing: string[] | undefined;
  compiled.names.forEach((name, i) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) (missing ??= []).push(name);
    else values[i] = encode(params[name]);
  });
  if (missing) throw SqlParamError.missing(missing, compiled.text);
  let given = 0;
  for (const name in params) if (Object.prototype.hasOwnProperty.call(params, name)) given++;
  if (given > compiled.names.length) {
    const used = new Set(compiled.names);
    throw SqlParamError.unused(Object.keys(params).filter((n) => !used.has(n)), compiled.text);
  }
  return values;
}

function scan(sql: string): CompiledSql {
  const names: string[] = [];
  const positions = new Map<string, number>();
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'") {
      i = skipQuoted(sql, i, "'", isEscapeString(sql, i));
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === '$' && !isIdentifierChar(sql[i - 1])) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end === -1 ? sql.length : end + tag.length;
      } else i++;
    } else if (c === '{') {
      const m = NAME.exec(sql.slice(i, i + 130));
      if (m) {
        const name = m[1] as string;
        let position = positions.get(name);
        if (position === undefined) {
          names.push(name);
          position = names.length;
          positions.set(name, position);
        }
        out += `${sql.slice(copiedUpTo, i)}$${position}`;
        i += m[0].length;
        copiedUpTo = i;
      } else {
        const end = sql.indexOf('}', i);
        throw SqlParamError.badPlaceholder(end === -1 || end - i > 40 ? sql.slice(i, i + 20) : sql.slice(i, end + 1), sql);
      }
    } else i++;
  }
  return Object.freeze({ text: out + sql.slice(copiedUpTo), names: Object.freeze(names) });
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

function isEscapeString(sql: string, quoteAt: number): boolean {
  const prefix = sql[quoteAt - 1];
  return (prefix === 'E' || prefix === 'e') && !isIdentifierChar(sql[quoteAt - 2]);
}

function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}
