import { readFileSync, writeFileSync } from 'node:fs';

/** One measured comparison: cellar and hand-written pg doing the same work. */
export interface Comparison {
  readonly scenario: string;
  readonly cellarMs: number[];
  readonly pgMs: number[];
  /** The acceptance bar for cellar / pg, when there is one. */
  readonly bar?: number;
}

/** Median of the samples. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall time of `fn` in milliseconds. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Markdown table of the comparisons: medians, ratio, and whether the bar holds. */
export function table(rows: readonly Comparison[]): string {
  const lines = ['| scenario | cellar (median ms) | pg (median ms) | cellar / pg | bar | holds |', '|---|---:|---:|---:|---:|:---:|'];
  for (const r of rows) {
    const c = median(r.cellarMs);
    const p = median(r.pgMs);
    const ratio = c / p;
    lines.push(`| ${r.scenario} | ${c.toFixed(1)} | ${p.toFixed(1)} | ${ratio.toFixed(2)} | ${r.bar ? `≤ ${r.bar}` : '—'} | ${r.bar ? (ratio <= r.bar ? 'yes' : '**no**') : '—'} |`);
  }
  return lines.join('\n');
}

/** Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in a markdown file. */
export function writeSection(file: string, name: string, content: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`${file} has no ${start} … ${end} section`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
}
