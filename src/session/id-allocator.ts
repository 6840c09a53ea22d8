import type { Connection } from '../db/connection.js';
import type { EntityMeta } from '../schema/entity-meta.js';
import { ID_BLOCK_SIZE } from '../schema/naming.js';
import { LIMITS } from '../sql/limits.js';
import { statementsFor } from './entity-statements.js';

const FIRST_BLOCKS = 1;

interface Pool {
  next: bigint;
  /** Exclusive end of the current block. */
  end: bigint;
  /** Starts of reserved blocks not yet used. */
  readonly blocks: bigint[];
  /** Blocks to reserve on the next round trip; doubles each time up to `LIMITS.maxIdBlocksPerRefill`. */
  grow: number;
  refilling: Promise<void> | undefined;
}

/**
 * Pooled id allocation. The entity's sequence increments by {@link ID_BLOCK_SIZE}: each `nextval`
 * reserves a block of that many ids, and one round trip reserves 1, 2, 4 … up to 1,024 blocks as
 * demand grows — so 100,000 inserts cost about ten statements, not 100,000. Ids are unique across
 * sessions and processes (sequences are never rolled back); gaps are expected.
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
      pool.end = start + BigInt(ID_BLOCK_SIZE);
    }
    return pool.next++;
  }

  /** Reserves more blocks in one statement (concurrent callers share it). */
  refill(meta: EntityMeta, connection: Connection): Promise<void> {
    let pool = this.#pools.get(meta);
    if (!pool) {
      pool = { next: 0n, end: 0n, blocks: [], grow: FIRST_BLOCKS, refilling: undefined };
      this.#pools.set(meta, pool);
    }
    const p = pool;
    p.refilling ??= (async () => {
      try {
        const statements = statementsFor(meta);
        const result = await connection.queryArrays(statements.nextIds, [statements.sequence, p.grow]);
        for (const row of result.rows) p.blocks.push(row[0] as bigint);
        p.grow = Math.min(p.grow * 2, LIMITS.maxIdBlocksPerRefill);
      } finally {
        p.refilling = undefined;
      }
    })();
    return p.refilling;
  }
}
