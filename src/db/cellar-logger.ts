/**
 * Where cellar writes its logs: any object with pino's level methods. pino itself works as it is
 * (`Database.open({ logger: pino() })`); so do bunyan, a winston child with an adapter, or `console`
 * wrapped in four arrow functions. Each call gets a structured object (always with `event`) and a
 * short message.
 *
 * Levels: `debug` — every statement (SQL, duration, rows; parameters only with `logParameters`),
 * transaction boundaries, cache events; `info` — bulk-job progress; `warn` — retries, failed
 * statements, connection errors, failures of after-commit work; `error` — nothing is logged at error
 * level by cellar itself (what fails is thrown to you).
 */
export interface CellarLogger {
  debug(details: Readonly<Record<string, unknown>>, message: string): void;
  info(details: Readonly<Record<string, unknown>>, message: string): void;
  warn(details: Readonly<Record<string, unknown>>, message: string): void;
  error(details: Readonly<Record<string, unknown>>, message: string): void;
  /** pino's: when present, cellar builds no log object for a level that is off. */
  isLevelEnabled?(level: string): boolean;
}

/** The levels cellar logs at. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Most characters of one logged parameter (an unnest array may hold 50,000 values). */
const PARAMETER_TEXT_LIMIT = 200;

/**
 * A logger with the checks in one place: nothing is built for a level that is off, and parameters
 * are redacted unless asked for.
 */
export class Log {
  /** No logger: every check is false, so callers skip building the details. */
  static readonly none = new Log(undefined, false);

  constructor(
    private readonly logger: CellarLogger | undefined,
    /** Log statement parameters (truncated) instead of `[redacted]`. */
    readonly parameters: boolean,
  ) {}

  /** Whether a call at this level reaches the logger. */
  enabled(level: LogLevel): boolean {
    const logger = this.logger;
    if (logger === undefined) return false;
    return logger.isLevelEnabled ? logger.isLevelEnabled(level) : true;
  }

  /** Writes one entry; a logger that throws never breaks the operation that logged. */
  write(level: LogLevel, details: Readonly<Record<string, unknown>>, message: string): void {
    try {
      this.logger?.[level](details, message);
    } catch {
      // A broken logger must not fail a commit.
    }
  }

  /** The parameters as logged: `[redacted]` per value by default, truncated text with `logParameters`. */
  params(values: readonly unknown[]): readonly unknown[] {
    if (!this.parameters) return values.map(() => '[redacted]');
    return values.map((v) => {
      const text = typeof v === 'string' ? v : v === null || v === undefined ? v : String(v);
      return typeof text === 'string' && text.length > PARAMETER_TEXT_LIMIT ? `${text.slice(0, PARAMETER_TEXT_LIMIT)}…(${text.length} chars)` : text;
    });
  }
}
