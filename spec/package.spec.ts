import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { envWithout, packagingSpecsSkipped, repositoryRoot, runCommand } from './support/run-command.js';

/**
 * The package as a user installs it: built, packed, installed from the tarball into a fresh project
 * (no tsx, no sources), a program type-checked against its .d.ts and run on the embedded server.
 */
describe('the installed package: build, pack, install, type-check and run a program', function () {
  this.timeout(10 * 60_000);
  let work: string;
  let tarball: string;

  before(async function () {
    const skipped = packagingSpecsSkipped();
    if (skipped) {
      console.log(`      skipped: ${skipped}`);
      this.skip();
    }
    work = mkdtempSync(path.join(tmpdir(), 'cellar-package-'));
    const pack = await runCommand('npm', ['pack', '--silent', '--pack-destination', work], { cwd: repositoryRoot, timeoutMs: 5 * 60_000 });
    expect(pack.code, pack.output).to.equal(0);
    const name = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(name, pack.output).to.be.a('string');
    tarball = path.join(work, name as string);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the tarball holds only what a user needs: dist (ES modules, .d.ts, source maps), README, LICENSE', async () => {
    const list = await runCommand('tar', ['-tzf', tarball], { cwd: work, timeoutMs: 60_000 });
    expect(list.code, list.output).to.equal(0);
    const files = list.output.trim().split('\n');
    const unexpected = files.filter((f) => !/^package\/(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map))$/.test(f));
    expect(unexpected).to.deep.equal([]);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/index.js.map']) expect(files).to.include(`package/${f}`);
  });

  it('the public API is the one in etc/cellar.api.md (API Extractor): every change to it shows in review', async () => {
    const report = await runCommand(process.execPath, [path.join(repositoryRoot, 'node_modules', '@microsoft', 'api-extractor', 'bin', 'api-extractor'), 'run'], { cwd: repositoryRoot, timeoutMs: 120_000 });
    expect(report.code, `${report.output.slice(-3000)}\nrun \`npm run api-report\` and commit etc/cellar.api.md if the change is intended`).to.equal(0);
  });

  it('a fresh project installs it, type-checks under strict with skipLibCheck off, and runs the quick start embedded', async () => {
    const project = path.join(work, 'consumer');
    const fixture = path.join(repositoryRoot, 'spec', 'fixtures', 'consumer');
    const install = await runCommand('mkdir', ['-p', project], { cwd: work, timeoutMs: 10_000 });
    expect(install.code).to.equal(0);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    for (const f of ['program.ts', 'tsconfig.json']) copyFileSync(path.join(fixture, f), path.join(project, f));
    const env = envWithout('DATABASE_URL', 'CELLAR_TEST_URL');
    const npm = await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, env, timeoutMs: 5 * 60_000 });
    expect(npm.code, npm.output).to.equal(0);
    const tsc = await runCommand(process.execPath, [path.join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, env, timeoutMs: 120_000 });
    expect(tsc.code, tsc.output).to.equal(0);
    const run = await runCommand(process.execPath, [path.join(project, 'out', 'program.js')], { cwd: project, env, timeoutMs: 120_000 });
    expect(run.code, run.output).to.equal(0);
    const printed = JSON.parse(run.output.trim().split('\n').pop() as string) as unknown;
    // Two id blocks, one flush (doc and doc_line in one statement), the select.
    expect(printed).to.deep.equal({ embedded: true, state: 'draft', lines: [{ qty: '2.500' }], statements: 4 });
    // The `cellar` command is installed with it (package.json "bin").
    const help = await runCommand(path.join(project, 'node_modules', '.bin', 'cellar'), ['--help'], { cwd: project, env, timeoutMs: 60_000 });
    expect(help.code, help.output).to.equal(0);
    expect(help.output).to.match(/^usage:\n {2}cellar introspect/);
  });
});
