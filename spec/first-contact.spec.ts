import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { envWithout, packagingSpecsSkipped, repositoryRoot, runCommand } from './support/run-command.js';

/**
 * The README's two commands on a fresh checkout in a private directory (mode 0700, as a home
 * directory or `mktemp -d` is), with no DATABASE_URL: the embedded server must start wherever the
 * checkout is, as root too (then the server's postgres user cannot traverse the checkout).
 */
describe('first contact: a fresh clone in a private directory, the README commands, no DATABASE_URL', function () {
  this.timeout(20 * 60_000);
  let home: string;
  let checkout: string;
  const env = { ...envWithout('DATABASE_URL', 'REDIS_URL', 'CELLAR_TEST_URL'), CI: 'true' };

  before(async function () {
    const skipped = packagingSpecsSkipped();
    if (skipped) {
      console.log(`      skipped: ${skipped}`);
      this.skip();
    }
    expect(existsSync(path.join(repositoryRoot, '.git')), 'the suite runs from a git checkout').to.equal(true);
    home = mkdtempSync(path.join(tmpdir(), 'cellar-first-contact-'));
    expect(statSync(home).mode & 0o777).to.equal(0o700);
    checkout = path.join(home, 'cellar');
    const clone = await runCommand('git', ['clone', '--quiet', repositoryRoot, checkout], { cwd: home, timeoutMs: 120_000 });
    expect(clone.code, clone.output).to.equal(0);
    const install = await runCommand('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: checkout, env, timeoutMs: 5 * 60_000 });
    expect(install.code, install.output).to.equal(0);
  });

  after(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('npm start runs the demo to its summary on an embedded server', async () => {
    const demo = await runCommand('npm', ['start'], { cwd: checkout, env, timeoutMs: 5 * 60_000 });
    expect(demo.code, demo.output).to.equal(0);
    expect(demo.output).to.contain('started an embedded PostgreSQL for this run');
    expect(demo.output).to.match(/[\d,]+ rows in [\d.]+ s/);
  });

  it('npm test passes there, every spec on the embedded server', async () => {
    const test = await runCommand('npm', ['test'], { cwd: checkout, env: { ...env, CELLAR_NESTED_RUN: '1' }, timeoutMs: 15 * 60_000 });
    expect(test.code, test.output.slice(-4000)).to.equal(0);
    expect(test.output).to.match(/\d+ passing/);
    expect(test.output).not.to.match(/\d+ failing/);
  });
});
