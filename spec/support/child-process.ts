import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repositoryRoot } from './run-command.js';

/**
 * A real second Node process running a spec helper script under tsx, spoken to one JSON line at a
 * time. Every answer is awaited with a bound, so a stuck peer fails the spec instead of hanging it.
 */
export class PeerProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #answers: string[] = [];
  readonly #waiting: ((line: string) => void)[] = [];
  #output = '';

  constructor(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    const tsx = path.join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    this.#child = spawn(process.execPath, [tsx, path.join(repositoryRoot, script), ...args], { cwd: repositoryRoot, env });
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#answers.push(line);
    });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#output += chunk.toString('utf8')));
  }

  /** Sends a command and returns the parsed answer (rejects after `timeoutMs`). */
  async ask<T = Record<string, unknown>>(command: object, timeoutMs = 20_000): Promise<T> {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
    const line = await new Promise<string>((resolve, reject) => {
      const ready = this.#answers.shift();
      if (ready !== undefined) return resolve(ready);
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(command).slice(0, 80)} within ${timeoutMs} ms; stderr: ${this.#output.slice(-2000)}`)), timeoutMs);
      this.#waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
    return JSON.parse(line) as T;
  }

  /** Asks it to exit and waits (bounded) for it to end. */
  async exit(): Promise<number | null> {
    const ended = new Promise<number | null>((resolve) => this.#child.once('exit', (code) => resolve(code)));
    this.#child.stdin.write(`${JSON.stringify({ op: 'exit' })}\n`);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    const code = await ended;
    clearTimeout(timer);
    return code;
  }
}
