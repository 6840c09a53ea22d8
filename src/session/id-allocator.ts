import type { Connection } from '../db/connection.js';
import type { EntityMeta } from '../schema/entity-meta.js';
import { DefinitionError } from '../errors/definition-error.js';
import { LIMITS } from '../sql/limits.js';
import { statementsFor } from './entity-statements.js';

const FIRST_BLOCKS = 1;

interface Pool {
  /** What one `nextval` reserves: the sequence's increment, read with every refill. */
  blockSize: bigint;
  next: bigint;
  /** Exclusive end of the current block. */
  end: bigint;
  /** Starts of reserved blocks not yet used. */
  readonly blocks: bigint[];
  /** Blocks to reserve on the next round trip; grows eightfold each time up to `LIMITS.maxIdBlocksPerRefill`. */
  grow: number;
  refilling: Promise<void> | undefined;
}

/**
 * Pooled id allocation, one per `Database`: every session of the process takes ids from the same
 * pools, so a short transaction inserting a few rows usually pays no round trip (Hibernate's pooled
 * optimizer). Ids reserved and not used when the process ends are simply never used. Each `nextval` of a sequence reserves a block of as many ids as the sequence
 * increments by (100 for the sequences cellar creates; 1 for most hand-made ones, which then cost one
 * row per id, still in one statement): one round trip reserves 1, 8, 64, 512, then 4,096 blocks as
 * demand grows — so 100,000 inserts cost five refills and 1,000,000 eight, while a short transaction
 * still reserves one block. Ids are unique across
 * sessions and processes (sequences are never rolled back, and other writers taking `nextval` get
 * values outside every block handed out); gaps are expected.
 */
export class IdAllocator {
  readonly #pools = new Map<EntityMeta, Pool>();

  /** The next id if one is reserved already; undefined when a refill is needed. */
  take(meta: EntityMeta): bigint | undefined {
    const pool = this.#pools.get(meta);
    if (!pool) return undefined;
    if (pool.next >= pool.end) {
      const start = pool.blocks.shift();
      if (start === undefined) return undefined;
      pool.next = start;
      pool.end = start + pool.blockSize;
    }
    return pool.next++;
  }

  /**
   * Reserves more blocks in one statement on `connection`. A caller that finds another session's
   * refill under way waits for it instead (then takes again, and refills on its own connection if the
   * pool is still empty): that refill's failure belongs to the session whose connection ran it.
   */
  async refill(meta: EntityMeta, connection: Connection): Promise<void> {
    let pool = this.#pools.get(meta);
    if (!pool) {
      pool = { blockSize: 1n, next: 0n, end: 0n, blocks: [], grow: FIRST_BLOCKS, refilling: undefined };
      this.#pools.set(meta, pool);
    }
    const p = pool;
    if (p.refilling) {
      await p.refilling.catch(() => undefined);
      return;
    }
    p.refilling = (async () => {
      try {
        const statements = statementsFor(meta);
        const result = await connection.queryArrays(statements.nextIds as string, [p.grow]);
        if (result.rows.length === 0) throw DefinitionError.noSequence(meta.name, statements.sequence);
        for (const row of result.rows) {
          const increment = BigInt(row[0] as bigint);
          if (increment < 1n) throw DefinitionError.descendingSequence(meta.name, statements.sequence, increment);
          // Blocks of one refill share an increment; a change of it (ALTER SEQUENCE) applies from the next refill.
          p.blockSize = increment;
          p.blocks.push(row[1] as bigint);
        }
        p.grow = Math.min(p.grow * LIMITS.idRefillGrowth, LIMITS.maxIdBlocksPerRefill);
      } finally {
        p.refilling = undefined;
      }
    })();
    return p.refilling;
  }

  /** Forgets every reserved id (after the sequences were dropped or created: they may be handed out again). */
  reset(): void {
    this.#pools.clear();
  }
}
