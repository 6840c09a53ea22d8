import { type ChildProcess, spawn } from 'node:child_process';
import { EmbeddedServerError, type EmbeddedServerFailure } from '../../errors/embedded-server-error.js';
import type { ServerAccount } from './server-account.js';

const KEPT_LOG_LINES = 200;

/** Log lines of one child process, the last {@link KEPT_LOG_LINES} kept for error messages. */
class LogTail {
  readonly lines: string[] = [];
  #partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    const text = this.#partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.#add(line);
  }

  flush(): void {
    if (this.#partial) this.#add(this.#partial);
    this.#partial = '';
  }

  #add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > KEPT_LOG_LINES) this.lines.shift();
    this.onLine(line);
  }
}

/** What the server's messages say went wrong (messages are English: lc_messages is C). */
export function classifyFailure(lines: readonly string[], fallback: EmbeddedServerFailure): EmbeddedServerFailure {
  const text = lines.join('\n');
  if (/could not bind IPv[46] address|Address already in use|port \d+ .*in use/i.test(text)) return 'port-in-use';
  if (/shared memory|shmget|could not (create|resize|map) .*segment|No space left on device.*shm|\/dev\/shm/i.test(text)) return 'shared-memory';
  if (/could not (create|access|change permissions of|open) (directory|file)|Permission denied|directory .* exists but is not empty|is not owned by/i.test(text)) return 'data-directory';
  return fallback;
}

const ADVICE: Record<EmbeddedServerFailure, string> = {
  'no-binaries': 'install the binary package for this machine or set DATABASE_URL',
  'port-in-use': 'pass another port, or leave it out to let cellar pick a free one',
  'data-directory': "pass a dataDir the server's user can create and write, or leave it out for a fresh temporary one",
  'server-user': 'run as a non-root user, or create the postgres system user',
  initdb: 'see the log lines below; set DATABASE_URL to use a server of your own instead',
  'shared-memory': 'give the machine or container more shared memory (e.g. docker --shm-size=256m), or pass settings { shared_buffers: "16MB" }',
  start: 'see the log lines below; set DATABASE_URL to use a server of your own instead',
  timeout: 'the machine may be overloaded: pass a longer startTimeoutMs, or set DATABASE_URL',
};

function failureError(failure: EmbeddedServerFailure, what: string, lines: readonly string[], cause?: unknown): EmbeddedServerError {
  return new EmbeddedServerError(failure, `${what}: ${ADVICE[failure]}`, lines, cause);
}

function spawnAs(file: string, args: readonly string[], account: ServerAccount, log: LogTail): ChildProcess {
  const child = spawn(file, args, {
    uid: account.uid,
    gid: account.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
    // English messages: the failure classification and the readiness line depend on them.
    env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
  });
  child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
  return child;
}

/** Runs `initdb` to completion; rejects with a typed error carrying its output. */
export function runInitdb(initdb: string, args: readonly string[], account: ServerAccount, onLog: (line: string) => void): Promise<void> {
  const log = new LogTail(onLog);
  return new Promise((resolve, reject) => {
    const child = spawnAs(initdb, args, account, log);
    // 'error' (EACCES, ENOENT) comes instead of 'close' when the program cannot be started at all.
    child.on('error', (e) => reject(failureError('initdb', `initdb could not be started (${(e as NodeJS.ErrnoException).code ?? e.message})`, log.lines, e)));
    child.on('close', (code, signal) => {
      log.flush();
      if (code === 0) resolve();
      else reject(failureError(classifyFailure(log.lines, 'initdb'), `initdb failed (exit ${code ?? signal})`, log.lines));
    });
  });
}

/** A started server process. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

/**
 * Spawns `postgres` and resolves once it accepts connections; rejects with a typed error when it
 * cannot be spawned, exits first, or is not ready within `timeoutMs` (then it is killed).
 */
export function startServerProcess(postgres: string, args: readonly string[], account: ServerAccount, onLog: (line: string) => void, timeoutMs: number): Promise<ServerProcess> {
  let ready = false;
  let settle: ((e?: EmbeddedServerError) => void) | undefined;
  const log = new LogTail((line) => {
    onLog(line);
    // A standby says "read-only connections": a replica started from a copied data directory is a server too.
    if (!ready && /database system is ready to accept (read-only )?connections/.test(line)) {
      ready = true;
      settle?.();
    }
  });
  const child = spawnAs(postgres, args, account, log);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle?.(failureError('timeout', `the server did not accept connections within ${timeoutMs} ms`, log.lines));
    }, timeoutMs);
    settle = (e) => {
      settle = undefined;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve({ child, exited });
    };
    child.on('error', (e) => settle?.(failureError('start', `postgres could not be started (${(e as NodeJS.ErrnoException).code ?? e.message})`, log.lines, e)));
    child.on('close', (code, signal) => {
      log.flush();
      settle?.(failureError(classifyFailure(log.lines, 'start'), `the server exited before accepting connections (exit ${code ?? signal})`, log.lines));
    });
  });
}
