import { readFileSync } from 'node:fs';
import pg from 'pg';
import { CellarError, Database, type IsolationLevel } from '../../src/index.js';
import { TPCC_ENTITIES } from '../../spec/support/tpcc-schema.js';
import { median } from '../harness.js';
import { runCellar } from './cellar-transactions.js';
import { checkConsistency, loadTpcc } from './data.js';
import { KINDS, SCALE, terminalStream, type TpccInput, type TpccKind } from './input.js';
import { type CountingClient, RollbackRequested, runPg } from './pg-transactions.js';

/** What one run of the mix measured. */
export interface TpccRun {
  readonly side: 'cellar' | 'pg';
  readonly isolation: IsolationLevel;
  readonly seconds: number;
  readonly newOrdersPerMinute: number;
  /** Latencies (ms) and statements per committed transaction, by kind. */
  readonly byKind: Record<TpccKind, { readonly ms: number[]; statements: number; count: number }>;
  readonly retries: number;
  /** Client CPU (user + system) per committed transaction, ms. */
  readonly cpuMsPerTransaction: number;
  /** Of which in the kernel (socket writes and reads), ms. */
  readonly systemCpuMsPerTransaction: number;
  /** CPU of everything else on the machine (the PostgreSQL server) per committed transaction, ms (Linux; NaN elsewhere). */
  readonly serverCpuMsPerTransaction: number;
  readonly consistency: string[];
}

const NOW = '2026-12-02 12:00:00';
const RETRYABLE = new Set(['40001', '40P01']);

/** A unit of the mix: run `t` once (begin … commit) and give the statements it sent; throws to retry or fail. */
type Attempt = (t: TpccInput) => Promise<number>;

function emptyByKind(): TpccRun['byKind'] {
  return Object.fromEntries(KINDS.map((k) => [k, { ms: [], statements: 0, count: 0 }])) as unknown as TpccRun['byKind'];
}

/**
 * One run: reload the data, then `terminals` terminals each run their own stream of `perTerminal`
 * transactions (home warehouse by terminal), retrying serialization failures and deadlocks with the
 * same backoff on both sides; check the consistency conditions afterwards.
 */
async function runMix(url: string, side: 'cellar' | 'pg', isolation: IsolationLevel, terminals: number, perTerminal: number, attempt: Attempt): Promise<Omit<TpccRun, 'consistency'>> {
  const byKind = emptyByKind();
  let retries = 0;
  let committed = 0;
  // A warm-up of a fifth of the mix, not measured: the steady state of a service, not its JIT's first tiers.
  const warm = Array.from({ length: terminals }, (_, i) => terminalStream(9000 + i, (i % SCALE.warehouses) + 1, Math.ceil(perTerminal / 5)));
  await Promise.all(warm.map(async (stream) => {
    for (const t of stream) await attempt(t).catch(() => undefined);
  }));
  const streams = Array.from({ length: terminals }, (_, i) => terminalStream(1000 + i, (i % SCALE.warehouses) + 1, perTerminal));
  const cpu = process.cpuUsage();
  const machine = busyMs();
  const started = performance.now();
  await Promise.all(
    streams.map(async (stream) => {
      for (const t of stream) {
        const began = performance.now();
        for (let n = 1; ; n++) {
          try {
            const statements = await attempt(t);
            const k = byKind[t.kind];
            k.ms.push(performance.now() - began);
            k.statements += statements;
            k.count++;
            committed++;
            break;
          } catch (e) {
            if (e instanceof RollbackRequested) break;
            const state = sqlStateOf(e);
            if (state === undefined || !RETRYABLE.has(state) || n >= 20) throw e;
            retries++;
            await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** (n - 1))));
          }
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const others = busyMs() - machine - (used.user + used.system) / 1000;
  return {
    side,
    isolation,
    seconds,
    newOrdersPerMinute: (byKind.newOrder.count / seconds) * 60,
    byKind,
    retries,
    cpuMsPerTransaction: (used.user + used.system) / 1000 / committed,
    systemCpuMsPerTransaction: used.system / 1000 / committed,
    serverCpuMsPerTransaction: others / committed,
  };
}

/** CPU time used by the whole machine so far, in ms (from /proc/stat; NaN where there is none). */
function busyMs(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
    return (user + nice + system + irq + softirq) * (1000 / 100); // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

function sqlStateOf(e: unknown): string | undefined {
  if (e instanceof CellarError) {
    for (let x: unknown = e; x instanceof Error; x = x.cause) { const state = (x as unknown as { sqlState?: unknown }).sqlState; if (typeof state === "string") return state; }
    return undefined;
  }
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export async function cellarRun(url: string, isolation: IsolationLevel, terminals: number, perTerminal: number): Promise<TpccRun> {
  await loadTpcc(url);
  const db = await Database.open({ url, entities: TPCC_ENTITIES, pool: { max: terminals } });
  try {
    const run = await runMix(url, 'cellar', isolation, terminals, perTerminal, async (t) => {
      let statements = 0;
      await db.transaction(
        async (s) => {
          await runCellar(s, t, NOW, SCALE.districts);
          await s.flush();
          statements = s.stats.statements;
        },
        { isolation },
      );
      return statements;
    });
    return { ...run, consistency: await checkConsistency(url) };
  } finally {
    await db.close();
  }
}

export async function pgRun(url: string, isolation: IsolationLevel, terminals: number, perTerminal: number): Promise<TpccRun> {
  await loadTpcc(url);
  const pool = new pg.Pool({ connectionString: url, max: terminals });
  const begin = `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`;
  try {
    const run = await runMix(url, 'pg', isolation, terminals, perTerminal, async (t) => {
      const client = await pool.connect();
      const counting: CountingClient = { client, statements: 0 };
      try {
        await client.query(begin);
        await runPg(counting, t, NOW, SCALE.districts);
        await client.query('COMMIT');
        return counting.statements;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    });
    return { ...run, consistency: await checkConsistency(url) };
  } finally {
    await pool.end();
  }
}

/** Runs cellar and pg alternately, `runs` times each, under each isolation level. */
export async function tpccScenarios(url: string, runs: number, terminals = 8, perTerminal = 400): Promise<TpccRun[]> {
  const out: TpccRun[] = [];
  for (const isolation of ['repeatable read', 'read committed'] as const) {
    for (let r = 0; r < runs; r++) {
      out.push(await pgRun(url, isolation, terminals, perTerminal));
      out.push(await cellarRun(url, isolation, terminals, perTerminal));
      const [p, c] = out.slice(-2) as [TpccRun, TpccRun];
      console.log(`tpcc ${isolation} run ${r + 1}: pg ${p.newOrdersPerMinute.toFixed(0)} NO/min, cellar ${c.newOrdersPerMinute.toFixed(0)} NO/min (${(c.newOrdersPerMinute / p.newOrdersPerMinute).toFixed(2)}×)`);
    }
  }
  return out;
}

const p = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/** The markdown table: medians over runs per side and isolation level. */
export function tpccTable(runs: readonly TpccRun[], terminals = 8): string {
  const lines = [
    `${terminals} terminals, ${SCALE.warehouses} warehouses (scaled: ${SCALE.items.toLocaleString('en')} items, ${SCALE.customersPerDistrict} customers per district), the standard mix, no think time; medians of ${runs.length / 4} runs per side and isolation level.`,
    '',
    '| isolation | side | New-Order / min | cellar / pg | NO p50 / p95 ms | Payment p50 / p95 ms | statements NO / P / OS / D / SL | retries / 100 tx | client CPU / tx ms | server CPU / tx ms | consistency 1–4 |',
    '|---|---|---:|---:|---:|---:|---|---:|---:|---:|:---:|',
  ];
  for (const isolation of ['repeatable read', 'read committed'] as const) {
    const pgNo = median(runs.filter((r) => r.side === 'pg' && r.isolation === isolation).map((r) => r.newOrdersPerMinute));
    for (const side of ['pg', 'cellar'] as const) {
      const mine = runs.filter((r) => r.side === side && r.isolation === isolation);
      if (mine.length === 0) continue;
      const no = median(mine.map((r) => r.newOrdersPerMinute));
      const all = (k: TpccKind): number[] => mine.flatMap((r) => r.byKind[k].ms);
      const stmts = KINDS.map((k) => (mine.reduce((n, r) => n + r.byKind[k].statements, 0) / Math.max(1, mine.reduce((n, r) => n + r.byKind[k].count, 0))).toFixed(1)).join(' / ');
      const tx = mine.reduce((n, r) => n + KINDS.reduce((m, k) => m + r.byKind[k].count, 0), 0);
      const retries = (mine.reduce((n, r) => n + r.retries, 0) / tx) * 100;
      const consistent = mine.every((r) => r.consistency.length === 0) ? 'hold' : `**${mine.flatMap((r) => r.consistency).join('; ')}**`;
      lines.push(
        `| ${isolation} | ${side} | ${no.toFixed(0)} | ${side === 'cellar' ? (no / pgNo).toFixed(2) : '—'} | ${p(all('newOrder'), 0.5).toFixed(1)} / ${p(all('newOrder'), 0.95).toFixed(1)} | ` +
          `${p(all('payment'), 0.5).toFixed(1)} / ${p(all('payment'), 0.95).toFixed(1)} | ${stmts} | ${retries.toFixed(1)} | ${median(mine.map((r) => r.cpuMsPerTransaction)).toFixed(2)} | ${median(mine.map((r) => r.serverCpuMsPerTransaction)).toFixed(2)} | ${consistent} |`,
      );
    }
  }
  return lines.join('\n');
}
