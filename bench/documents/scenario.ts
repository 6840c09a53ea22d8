import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Database } from '../../src/index.js';
import { median } from '../harness.js';
import { BenchDoc, BenchLine, BenchLot } from '../model.js';
import type { ShapeSample } from './worker.js';
import { FULL } from './workload.js';

const run = promisify(execFile);

/** One shape's samples on both sides, and the pg variant its bar is set against. */
export interface ShapeResult {
  readonly shape: string;
  readonly what: string;
  readonly cellar: ShapeSample[];
  readonly pg: ShapeSample[];
  /** A second hand-written variant shown beside (COPY for S1, parent-key deletes for S6). */
  readonly variant?: { readonly name: string; readonly samples: ShapeSample[] };
  /** The acceptance bar for cellar / pg (the reference pg variant). */
  readonly bar: number;
  /** S5 reports nanoseconds per lookup, not milliseconds. */
  readonly unit: 'ms' | 'ns';
}

const SHAPES: readonly { shape: string; what: string; bar: number; variant?: string; unit?: 'ns' }[] = [
  { shape: 'S1', what: `insert ${FULL.docs} docs × ${FULL.lines} lines × ${FULL.lots} lots in one unit of work (pg: unnest)`, bar: 0.9, variant: 'S1 copy' },
  { shape: 'S2', what: `load ${FULL.picked} docs with \`batchIn\` of lines and lots, walk every collection and field`, bar: 1.1 },
  { shape: 'S3', what: `update two fields of every line of ${FULL.picked} docs, one flush`, bar: 1.1 },
  { shape: 'S4', what: `${FULL.chunked} lines in chunks of ${FULL.chunkSize}, a field changed, \`flush(true)\`, one commit`, bar: 1.1 },
  { shape: 'S5', what: `${FULL.lookups} lookups by id of cached rows (pg: an awaited \`Map\` lookup), ns each`, bar: 1.5, unit: 'ns' },
  { shape: 'S6', what: `delete ${FULL.picked} of the ${FULL.docs} docs with their lines and lots (pg: children's ids read, deleted by id)`, bar: 0.8, variant: 'S6 by parent' },
];

/** The six document shapes, each run of each side in a fresh process, sides alternating first. */
export async function documentScenarios(url: string, runs: number): Promise<ShapeResult[]> {
  const db = await Database.open({ url, entities: [BenchDoc, BenchLine, BenchLot] });
  await db.schema.drop();
  await db.schema.create();
  await db.close();
  const results: ShapeResult[] = SHAPES.map((s) => ({ shape: s.shape, what: s.what, cellar: [], pg: [], bar: s.bar, unit: s.unit ?? 'ms', ...(s.variant ? { variant: { name: s.variant, samples: [] } } : {}) }));
  for (let r = 0; r < runs; r++) {
    for (const side of r % 2 ? (['pg', 'cellar'] as const) : (['cellar', 'pg'] as const)) {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/documents/worker.ts', url, side, String(r + 1)], { maxBuffer: 1 << 20 });
      const samples = JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, ShapeSample>;
      for (const result of results) {
        result[side].push(samples[result.shape] as ShapeSample);
        const variant = SHAPES.find((s) => s.shape === result.shape)?.variant;
        if (side === 'pg' && variant && result.variant) result.variant.samples.push(samples[variant] as ShapeSample);
      }
    }
  }
  return results;
}

const med = (samples: readonly ShapeSample[], of: (s: ShapeSample) => number): number => median(samples.map(of));

/** cellar / the reference pg variant, by medians. */
export function ratioOf(r: ShapeResult): number {
  return med(r.cellar, (s) => s.ms) / med(r.pg, (s) => s.ms);
}

/** Markdown table of the shapes: medians, ratios, statements, peak RSS, bars. */
export function documentTable(results: readonly ShapeResult[]): string {
  const lines = [
    '| shape | work | cellar | pg | cellar / pg | other pg variant (cellar / it) | statements cellar / pg | peak RSS MB cellar / pg | bar | holds |',
    '|---|---|---:|---:|---:|---|---|---|---:|:---:|',
  ];
  for (const r of results) {
    const unit = r.unit === 'ns' ? ' ns' : ' ms';
    const c = med(r.cellar, (s) => s.ms);
    const p = med(r.pg, (s) => s.ms);
    const ratio = c / p;
    const v = r.variant ? `${r.variant.name.replace(/^S\d /, '')}: ${med(r.variant.samples, (s) => s.ms).toFixed(0)}${unit} (${(c / med(r.variant.samples, (s) => s.ms)).toFixed(2)})` : '—';
    const statements = r.unit === 'ns' ? '0 / 0' : `${med(r.cellar, (s) => s.statements)} / ${med(r.pg, (s) => s.statements)}`;
    const rss = `${med(r.cellar, (s) => s.rssMb).toFixed(0)} / ${med(r.pg, (s) => s.rssMb).toFixed(0)}`;
    lines.push(`| ${r.shape} | ${r.what} | ${c.toFixed(0)}${unit} | ${p.toFixed(0)}${unit} | ${ratio.toFixed(2)} | ${v} | ${statements} | ${rss} | ≤ ${r.bar} | ${ratio <= r.bar ? 'yes' : '**no**'} |`);
  }
  lines.push('', 'Peak RSS is each side\'s process peak up to the end of the shape (one process per side and run; every process runs the six shapes twice and reports the second pass, so the JIT is warm).');
  return lines.join('\n');
}
