import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this suite belongs to. */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a finished command printed and how it ended. */
export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs a command to completion (stdout and stderr interleaved in `output`), killing it after
 * `timeoutMs`. Never rejects for a non-zero exit: the caller asserts on `code` and shows `output`.
 */
export function runCommand(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The environment of this process without the given variables. */
export function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

/** Why the packaging specs (first contact, the installed package) do not run here, or undefined when they do. */
export function packagingSpecsSkipped(): string | undefined {
  if (process.env['CELLAR_NESTED_RUN']) return 'this is the nested run of the first-contact spec (running them again would recurse)';
  if (process.env['CELLAR_PACKAGING_SPECS'] === 'off') return 'CELLAR_PACKAGING_SPECS=off (.ci/run runs them once, in its embedded pass)';
  return undefined;
}
