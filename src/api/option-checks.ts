import { ValidationError } from '../errors/validation-error.js';

/** `DatabaseOptions.copyInsertsFrom`: a whole number of rows ≥ 1, or false; anything else is refused at open. */
export function checkCopyThreshold(value: number | false | undefined): void {
  if (value === undefined || value === false || (Number.isSafeInteger(value) && value >= 1)) return;
  throw new ValidationError(`copyInsertsFrom takes a whole number of rows ≥ 1, or false for never; got ${String(value)}`);
}

/** `DatabaseOptions.pooler`: one of the three modes; a typo would silently keep session state behind PgBouncer. */
export function checkPooler(value: unknown): void {
  if (value === undefined || value === 'none' || value === 'session' || value === 'transaction') return;
  throw new ValidationError(`pooler takes 'none', 'session' or 'transaction'; got ${JSON.stringify(value)}`);
}

/** `replicas` (URLs), `maxLagMs` and `replicaWaitMs` (milliseconds ≥ 0). */
export function checkReplicas(options: { readonly replicas?: readonly string[]; readonly maxLagMs?: number; readonly replicaWaitMs?: number }): void {
  const { replicas, maxLagMs, replicaWaitMs } = options;
  if (replicas !== undefined && (!Array.isArray(replicas) || replicas.some((u) => typeof u !== 'string' || u.length === 0))) {
    throw new ValidationError('replicas takes an array of PostgreSQL URLs, one per streaming replica');
  }
  for (const [name, value] of [['maxLagMs', maxLagMs], ['replicaWaitMs', replicaWaitMs]] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw new ValidationError(`${name} takes a number of milliseconds ≥ 0; got ${String(value)}`);
  }
}
