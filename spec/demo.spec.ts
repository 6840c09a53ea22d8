import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { countRows, databaseUrl } from './support/test-database.js';

const run = promisify(execFile);

describe('the demo (npm start) at a small size', () => {
  it('runs every phase and prints the summary table', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--receipts', '30', '--lines', '4', '--url', databaseUrl()], { timeout: 60_000 });
    expect(stdout).to.match(/seed receipts with lines\s+\d+\s+150\b/);
    expect(stdout).to.contain('approve the first 100 receipts');
    expect(stdout).to.match(/delete one receipt with its lines\s+5\s+5\b/);
    expect(stdout).to.contain('rows/s');
    expect(await countRows('receipt')).to.equal(29);
    expect(await countRows('receipt_line', "price = 9.99")).to.equal(29 * 4);
    expect(await countRows('receipt', "state = 'approved'")).to.equal(29);
  });

  it('--help lists the options', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--help']);
    expect(stdout).to.contain('--receipts N').and.contain('--url URL');
  });
});
