import { CellarError } from '../errors/cellar-error.js';
import { DbError } from '../errors/db-error.js';

/** The exit codes of `cellar` (docs/starting-from-an-existing-database.md lists them). */
export const EXIT = {
  ok: 0,
  /** Something unexpected: the message says what. */
  failed: 1,
  /** Bad arguments: the usage is printed. */
  usage: 2,
  /** The database cannot be reached, or refused the login, or does not exist. */
  unreachable: 3,
  /** The role lacks a privilege the command needs. */
  permission: 4,
  /** `introspect` wrote the files, but left columns or constraints out (each named on its own line). */
  partial: 5,
  /** A migration failed; it was rolled back. */
  migration: 6,
  /** The entities module could not be loaded. */
  entities: 7,
} as const;

/** An error the CLI reports as one line and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** What a database error means to someone at a terminal: one line, and the exit code of its kind. */
export function cliErrorOf(e: unknown, url: string | undefined): CliError {
  if (e instanceof CliError) return e;
  const where = url ? ` (${withoutPassword(url)})` : '';
  const sqlState = e instanceof DbError ? e.sqlState : undefined;
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
  if (sqlState === '42501') return new CliError(`permission denied${where}: ${message}; grant the role the privilege, or run as one that has it`, EXIT.permission);
  if (sqlState === '28P01' || sqlState === '28000') return new CliError(`the server refused the login${where}: ${message}`, EXIT.unreachable);
  if (sqlState === '3D000') return new CliError(`no such database${where}: ${message}`, EXIT.unreachable);
  if (e instanceof CellarError && e.code === 'CONNECTION_LOST') return new CliError(`cannot reach the database${where}: ${message}; check the URL and that the server runs`, EXIT.unreachable);
  return new CliError(message, EXIT.failed);
}

/** A URL fit for a message or a file header: no password. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
