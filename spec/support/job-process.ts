import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repositoryRoot } from './run-command.js';

/** One JSON line a job worker printed. */
export interface WorkerEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/**
 * A real worker process (spec/support/job-worker.ts under tsx). Its events are collected; `waitFor`
 * waits, with a bound, for the first event that matches, so a stuck worker fails the spec.
 */
export class JobWorkerProcess {
  readonly events: WorkerEvent[] = [];
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiters: { match: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }[] = [];
  readonly exited: Promise<number | null>;
  #stderr = '';

  constructor(args: readonly string[]) {
    // `--import tsx` in this very process (not the tsx CLI, which runs the script in a child of its
    // own): SIGKILL must reach the process that holds the connection.
    this.#child = spawn(process.execPath, ['--import', 'tsx', path.join(repositoryRoot, 'spec/support/job-worker.ts'), ...args], { cwd: repositoryRoot });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString('utf8')));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as WorkerEvent;
      this.events.push(event);
      for (const w of this.#waiters.filter((x) => x.match(event))) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(event);
      }
    });
  }

  /** The first event (already seen or still to come) for which `match` holds; rejects after `timeoutMs`. */
  waitFor(match: (e: WorkerEvent) => boolean, timeoutMs = 60_000): Promise<WorkerEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching worker event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(-5))}; stderr: ${this.#stderr.slice(-2000)}`)), timeoutMs);
      this.#waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  /** The worker's last word: its `done`, `error` or `status` event. */
  finished(timeoutMs = 120_000): Promise<WorkerEvent> {
    return this.waitFor((e) => e.event === 'done' || e.event === 'error' || e.event === 'status', timeoutMs);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#child.kill(signal);
  }
}
