import { Container } from 'inversify';
import { parseArgs } from 'node:util';
import { BulkProcess, cellarModule, col, Database, resolveDatabaseUrl, type Session } from '../src/index.js';
import { Item, ItemStatus, Receipt, ReceiptLine, ReceiptLot, warehouseEntities } from './model.js';
import { ReceiptService } from './receipt-service.js';
import { type Phase, summaryTable } from './summary.js';

const HELP = `cellar demo: a warehouse's receipts through the unit of work

usage: npm start -- [--receipts N] [--lines N] [--url URL]

  --receipts N   receipt documents to create (default 10000)
  --lines N      lines per receipt (default 20; 10000 × 20 = 200,000 lines)
  --url URL      PostgreSQL URL (default: DATABASE_URL, else an embedded server started for the run)
  --help         this text
`;

const { values: args } = parseArgs({
  options: {
    receipts: { type: 'string', default: '10000' },
    lines: { type: 'string', default: '20' },
    url: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const receipts = Number(args.receipts);
const linesPerReceipt = Number(args.lines);
if (!Number.isInteger(receipts) || receipts < 1 || !Number.isInteger(linesPerReceipt) || linesPerReceipt < 1) {
  process.stderr.write(`--receipts and --lines take positive whole numbers\n\n${HELP}`);
  process.exit(2);
}
const ITEMS = 500;
const APPROVE = Math.min(200, receipts);

const database = args.url ? { url: args.url, embedded: false, stop: async () => undefined } : await resolveDatabaseUrl();
console.log(database.embedded ? 'started an embedded PostgreSQL for this run' : 'using the PostgreSQL at the given URL');
const db = await Database.open({ url: database.url, entities: warehouseEntities });
const container = new Container();
container.loadSync(cellarModule(db, { services: [ReceiptService] }));
const phases: Phase[] = [];

/** Runs one phase in its own session (ambient for injected services), committed at the end. */
async function phase(name: string, work: (s: Session) => Promise<number>): Promise<void> {
  const s = await db.session();
  const started = performance.now();
  try {
    const rows = await db.withSession(s, () => work(s));
    await s.commit();
    phases.push({ name, rows, ms: performance.now() - started, stats: s.stats });
  } finally {
    await s.close();
  }
}

try {
  await db.schema.drop();
  await db.schema.create();

  await phase('seed items, receipts, lines, lots', async (s) => {
    const items = [];
    for (let i = 0; i < ITEMS; i++) items.push(await s.api(Item).insert({ code: `IT-${i}`, price: `${(i % 90) + 10}.50` }));
    const itemIds = items.map((i) => i.id);
    await s.flush(true);
    let rows = ITEMS;
    for (let r = 0; r < receipts; r++) {
      const receipt = await s.api(Receipt).insert({ docNumber: `R-${r + 1}`, docDate: '2026-11-21' });
      for (let l = 0; l < linesPerReceipt; l++) {
        const line = await s.api(ReceiptLine).insertByParent(receipt, {
          nOrder: l + 1,
          idItem: itemIds[(r * 7 + l) % ITEMS] as bigint,
          qty: `${(l % 9) + 1}.500`,
          price: `${(l % 50) + 1}.25`,
        });
        if (r < 1000) await s.api(ReceiptLot).insertByParent(line, { lotCode: `L-${r}-${l}`, qty: `${(l % 9) + 1}.500` });
      }
      rows += 1 + linesPerReceipt + (r < 1000 ? linesPerReceipt : 0);
      if ((r + 1) % 1000 === 0) await s.flush(true); // write in batches, keep the cache small
    }
    return rows;
  });

  await phase(`approve ${APPROVE} receipts (injected service, batchIn)`, async (s) => {
    const service = container.get(ReceiptService);
    const drafts = await s.query(Receipt).where({ state: 'draft' }).orderBy('id').limit(APPROVE).batchIn(ReceiptLine, ReceiptLot).all();
    for (const receipt of drafts) await service.approve(receipt); // walks byParent: served from the cache
    return drafts.length;
  });

  await phase('delete one receipt with its lines and lots', async (s) => {
    const last = await s.query(Receipt).orderBy('id', 'desc').first();
    if (!last) return 0;
    const lines = await s.api(ReceiptLine).byParent(last);
    await container.get(ReceiptService).delete(last); // cascades: lines, then their lots
    return 1 + lines.length;
  });

  await phase('nightly: reprice every line (chunkedQuery)', async (s) => {
    const result = await new BulkProcess(s).chunkedQuery(
      ReceiptLine,
      5000,
      'select id from receipt_line',
      {},
      async (lines) => {
        for (const line of lines) line.set('price', (Number(line.get('price')) * 1.05).toFixed(2));
        await s.commit(); // commit per chunk: a failure restarts with resumeAfter
      },
      { progress: true, count: true },
    );
    return result.rows;
  });

  await phase('nightly: register item statuses (findObjects)', async (s) => {
    const onHand = await s.select('select id_item, sum(qty) as qty from receipt_line group by id_item', {}, { idItem: col.bigint(), qty: col.decimal() });
    const filters = onHand.map((r) => ({ idItem: r.idItem, qtyOnHand: r.qty, status: Number(r.qty) > 2000 ? ('in-stock' as const) : ('low' as const) }));
    await new BulkProcess(s).findObjects({ entity: ItemStatus, filters, sqlConditions: 't.id_item = f.id_item' }, async (res) => {
      const { idItem, status, qtyOnHand } = res.filter;
      const rop = await res.getRopOrElseUpdate(() => s.api(ItemStatus).insert({ idItem, status, qtyOnHand }));
      if (rop.get('status') !== status) rop.set('status', status);
      rop.set('qtyOnHand', qtyOnHand);
    });
    return filters.length;
  });

  const total = phases.reduce((sum, p) => sum + p.ms, 0);
  console.log(`\n${summaryTable(phases)}\n\n${phases.reduce((n, p) => n + p.rows, 0).toLocaleString('en-US')} rows in ${(total / 1000).toFixed(1)} s`);
} finally {
  await db.close();
  await database.stop();
}
