import { ratioOf, type ShapeResult } from './scenario.js';

const WIDTH = 720;
const ROW = 34;
const LEFT = 60;
const RIGHT = 150;
const SCALE_MAX = 2;

/**
 * An SVG chart of cellar / hand-written pg per shape, drawn from the measured medians: one bar per
 * shape (green when its bar holds, red when not), the acceptance bar as a tick, 1.0 as a line.
 */
export function documentChart(results: readonly ShapeResult[]): string {
  const plot = WIDTH - LEFT - RIGHT;
  const x = (ratio: number): number => LEFT + (Math.min(ratio, SCALE_MAX) / SCALE_MAX) * plot;
  const height = 40 + results.length * ROW + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-weight="bold">cellar / hand-written pg (median; lower is faster)</text>`,
  ];
  results.forEach((r, i) => {
    const y = 40 + i * ROW;
    const ratio = ratioOf(r);
    const holds = ratio <= r.bar;
    parts.push(
      `<text x="${LEFT - 10}" y="${y + 18}" text-anchor="end">${r.shape}</text>`,
      `<rect x="${LEFT}" y="${y + 4}" width="${(x(ratio) - LEFT).toFixed(1)}" height="${ROW - 12}" fill="${holds ? '#3c9a5f' : '#c8553d'}"/>`,
      `<line x1="${x(r.bar).toFixed(1)}" y1="${y}" x2="${x(r.bar).toFixed(1)}" y2="${y + ROW - 4}" stroke="#222" stroke-width="2" stroke-dasharray="3,2"/>`,
      `<text x="${WIDTH - RIGHT + 10}" y="${y + 18}">${ratio.toFixed(2)} (bar ≤ ${r.bar})</text>`,
    );
  });
  const axis = 40 + results.length * ROW;
  parts.push(`<line x1="${x(1).toFixed(1)}" y1="34" x2="${x(1).toFixed(1)}" y2="${axis}" stroke="#888"/>`);
  for (const tick of [0, 0.5, 1, 1.5, 2]) parts.push(`<text x="${x(tick).toFixed(1)}" y="${axis + 18}" text-anchor="middle" fill="#555">${tick.toFixed(1)}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
