import { Log } from './cellar-logger.js';
import { Tracing } from './tracing.js';

/** Logs and spans of one `Database`, handed to each part that reports. */
export interface Telemetry {
  readonly log: Log;
  readonly tracing: Tracing;
}

/** Neither a logger nor tracing: every report is skipped before anything is built. */
export const noTelemetry: Telemetry = Object.freeze({ log: Log.none, tracing: Tracing.off });
