import type { SessionStats } from '../src/index.js';

/** One phase of the demo as measured. */
export interface Phase {
  readonly name: string;
  readonly rows: number;
  readonly ms: number;
  readonly stats: SessionStats;
}

/** The summary table printed at the end of the demo. */
export function summaryTable(phases: readonly Phase[]): string {
  const header = ['phase', 'statements', 'rows', 'loaded', 'written', 'cache hits', 'peak cells', 'seconds', 'rows/s'];
  const rows = phases.map((p) => [
    p.name,
    String(p.stats.statements),
    String(p.rows),
    String(p.stats.rowsLoaded),
    String(p.stats.rowsWritten),
    String(p.stats.cacheHits),
    String(p.stats.peakCells),
    (p.ms / 1000).toFixed(2),
    Math.round(p.rows / Math.max(p.ms / 1000, 0.001)).toLocaleString('en-US'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
