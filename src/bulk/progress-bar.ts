import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import type { ChunkInfo } from './chunk-info.js';

/** Receives a job's progress: once at the start, after every chunk, and at the end. */
export interface ProgressReporter {
  start(total: number | undefined): void;
  update(info: ChunkInfo): void;
  stop(): void;
}

/** Reports nothing (stdout is not a terminal, or no bar was asked for). */
export const silentProgress: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };

/**
 * A terminal progress bar (cli-progress) with rows done, rate and ETA; without a known total it shows
 * the count and rate only. Drawn only when stdout is a TTY, so logs and CI output stay clean.
 */
export function terminalProgress(label: string, stream: NodeJS.WriteStream = process.stdout): ProgressReporter {
  if (!stream.isTTY) return silentProgress;
  let bar: cliProgress.SingleBar | undefined;
  let known = false;
  return {
    start(total) {
      known = total !== undefined;
      const format = known
        ? `${label} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`
        : `${label} {value} rows | {rate} rows/s | {duration_formatted}`;
      // Loaded on first use: only jobs that draw a bar on a terminal need it.
      const progress = createRequire(import.meta.url)('cli-progress') as typeof cliProgress;
      bar = new progress.SingleBar({ format, stream, hideCursor: true, etaBuffer: 20 }, progress.Presets.shades_classic);
      bar.start(total ?? 0, 0, { rate: '0' });
    },
    update(info) {
      const rate = info.elapsedMs > 0 ? Math.round((info.rowsDone * 1000) / info.elapsedMs) : 0;
      bar?.update(info.rowsDone, { rate: String(rate) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
