import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { scratchDatabaseUrl } from './support/test-database.js';

const run = promisify(execFile);

describe('the demo (npm start) at a small size', () => {
  it('runs every phase and prints the summary table', async () => {
    const url = await scratchDatabaseUrl('demo');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--receipts', '30', '--lines', '4', '--url', url], { timeout: 120_000 });
    expect(stdout).to.match(/seed items, receipts, lines, lots\s+\d+\s+770\b/); // 500 items + 30 × (1 + 4 lines + 4 lots)
    expect(stdout).to.match(/approve 30 receipts \(injected service, batchIn\)\s+4\s+30\b/);
    expect(stdout).to.match(/delete one receipt with its lines and lots\s+\d+\s+5\b/);
    expect(stdout).to.match(/reprice every line \(chunkedQuery\)\s+\d+\s+116\b/);
    expect(stdout).to.contain('rows/s').and.contain('cache hits');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const counts = await client.query("select (select count(*) from receipt)::int as receipts, (select count(*) from receipt where state = 'approved')::int as approved, (select count(*) from receipt_line)::int as lines, (select count(*) from item_status)::int as statuses");
    await client.end();
    // one status per item the 29 receipts' lines use: (r × 7 + l) mod 500 over r < 29, l < 4 gives 116 items
    expect(counts.rows[0]).to.deep.equal({ receipts: 29, approved: 29, lines: 116, statuses: 116 });
  });

  it('--help lists the options', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--help']);
    expect(stdout).to.contain('--receipts N').and.contain('--url URL');
  });
});
