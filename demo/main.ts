import { parseArgs } from 'node:util';
import { col, Database, resolveDatabaseUrl, type Session, type SessionStats } from '../src/index.js';
import { Receipt, ReceiptLine } from './model.js';

const HELP = `cellar demo: a warehouse's receipts through the unit of work

usage: npm start -- [--receipts N] [--lines N] [--url URL]

  --receipts N   receipt documents to create (default 5000)
  --lines N      lines per receipt (default 20)
  --url URL      PostgreSQL URL (default: DATABASE_URL, else an embedded server started for the run)
  --help         this text
`;

const { values: args } = parseArgs({
  options: {
    receipts: { type: 'string', default: '5000' },
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

interface Phase {
  readonly name: string;
  readonly rows: number;
  readonly ms: number;
  readonly stats: SessionStats;
}
const phases: Phase[] = [];

async function phase(db: Database, name: string, work: (s: Session) => Promise<number>): Promise<void> {
  const s = await db.session();
  const started = performance.now();
  try {
    const rows = await work(s);
    await s.commit();
    phases.push({ name, rows, ms: performance.now() - started, stats: s.stats });
  } finally {
    await s.close();
  }
}

const database = args.url ? { url: args.url, embedded: false, stop: async () => undefined } : await resolveDatabaseUrl();
console.log(database.embedded ? 'started an embedded PostgreSQL for this run' : 'using the PostgreSQL at the given URL');
const db = await Database.open({ url: database.url, entities: [Receipt, ReceiptLine] });
try {
  await db.schema.drop();
  await db.schema.create();

  await phase(db, 'seed receipts with lines', async (s) => {
    const docs = s.api(Receipt);
    const lines = s.api(ReceiptLine);
    for (let r = 0; r < receipts; r++) {
      const doc = await docs.insert({ docNumber: `R-${r + 1}`, docDate: '2026-11-21' });
      for (let l = 0; l < linesPerReceipt; l++) {
        await lines.insertByParent(doc, { nOrder: l + 1, idItem: BigInt((r * 7 + l) % 500), qty: `${(l % 9) + 1}.500`, price: `${(l % 50) + 1}.25` });
      }
      if ((r + 1) % 1000 === 0) await s.flush(true); // keep the transaction cache small
    }
    return receipts * (linesPerReceipt + 1);
  });

  await phase(db, 'approve the first 100 receipts', async (s) => {
    const ids = await s.select('select id from receipt order by id limit 100', {}, { id: col.bigint() });
    const docs = await s.api(Receipt).loadMany(ids.map((r) => r.id));
    const totals = await s.select(
      'select id_receipt, sum(qty * price) as total from receipt_line where id_receipt = any({ids}) group by id_receipt',
      { ids: ids.map((r) => r.id) },
      { idReceipt: col.bigint(), total: col.decimal() },
    );
    const byId = new Map(totals.map((t) => [t.idReceipt, t.total]));
    for (const doc of docs) doc.set('state', 'approved').set('total', byId.get(doc.id) ?? '0');
    return docs.length;
  });

  await phase(db, 'delete one receipt with its lines', async (s) => {
    const [first] = await s.select("select id from receipt order by id desc limit 1", {}, { id: col.bigint() });
    if (!first) return 0;
    await s.api(Receipt).delete(await s.api(Receipt).load(first.id));
    return 1 + linesPerReceipt;
  });

  await phase(db, 'reprice every line (load by id chunks, one flush each)', async (s) => {
    const ids = (await s.select('select id from receipt_line order by id', {}, { id: col.bigint() })).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 10_000) {
      for (const line of await s.api(ReceiptLine).loadMany(ids.slice(i, i + 10_000))) line.set('price', '9.99');
      await s.flush(true);
    }
    return ids.length;
  });

  printSummary();
} finally {
  await db.close();
  await database.stop();
}

function printSummary(): void {
  const rows = phases.map((p) => [
    p.name,
    String(p.stats.statements),
    String(p.rows),
    String(p.stats.rowsLoaded),
    String(p.stats.rowsWritten),
    (p.ms / 1000).toFixed(2),
    Math.round(p.rows / (p.ms / 1000)).toLocaleString('en-US'),
  ]);
  const header = ['phase', 'statements', 'rows', 'loaded', 'written', 'seconds', 'rows/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}
