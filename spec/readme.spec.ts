import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { scratchDatabaseUrl } from './support/test-database.js';

const run = promisify(execFile);

describe('README', () => {
  it('the quick start runs as written (with the package import pointed at src/)', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'README has a ```ts block under Quick start').to.be.a('string');
    const file = path.resolve('spec', `.readme-quick-start-${process.pid}.ts`);
    writeFileSync(file, (code as string).replace("from 'cellar'", "from '../src/index.js'"));
    try {
      const url = await scratchDatabaseUrl('readme');
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, DATABASE_URL: url }, timeout: 60_000 });
      expect(stdout).to.match(/\[ \{ id: \d+n, qty: '2\.500' \} \]/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('shows the two set-up commands on its first screen', () => {
    const head = readFileSync('README.md', 'utf8').split('\n').slice(0, 20).join('\n');
    expect(head).to.contain('npm ci && npm start').and.contain('npm ci && npm test');
  });
});
