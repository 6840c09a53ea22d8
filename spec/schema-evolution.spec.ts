import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { type AnyEntity, Database, type EntityBase } from '../src/index.js';
import { runCli } from '../src/cli/main.js';
import { repositoryRoot } from './support/run-command.js';
import { scratchDatabaseUrl } from './support/test-database.js';
import { TPCC_DDL } from './support/tpcc-schema.js';

const run = promisify(execFile);

async function sql(url: string, statements: readonly string[]): Promise<unknown[][]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: unknown[][] = [];
    for (const s of statements) out.push((await client.query(s)).rows);
    return out;
  } finally {
    await client.end();
  }
}

/** What the catalog says of TPC-C's tables: every column with its type and nullability, every index. */
async function catalogOf(url: string): Promise<unknown[][]> {
  return sql(url, [
    "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns WHERE table_schema = 'tpcc' ORDER BY 1, 2",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'tpcc' ORDER BY 1, 2",
  ]);
}

/** The `cellar` bin in a process of its own: exit code and what it printed. */
async function bin(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const cli = path.join(repositoryRoot, 'src', 'cli', 'bin.ts');
  try {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repositoryRoot });
    return { code: 0, stderr };
  } catch (e) {
    const failed = e as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

async function entitiesOf(dir: string): Promise<EntityBase[]> {
  return ((await import(path.join(dir, 'index.ts'))) as { entities: EntityBase[] }).entities;
}

describe('schema evolution: cellar introspect, cellar migrate diff / up / down', function () {
  this.timeout(120_000);
  const work = path.join(repositoryRoot, 'spec', `.evolution-${process.pid}`);
  const generated = path.join(work, 'entities');
  const changed = path.join(work, 'changed');
  const migrations = path.join(work, 'migrations');
  /** What the in-process CLI said (kept out of the spec output). */
  const said: string[] = [];
  const cli = (args: readonly string[]): Promise<number> => runCli(args, (line) => void said.push(line));
  let url: string;

  before(async () => {
    url = await scratchDatabaseUrl('evolve');
    await sql(url, TPCC_DDL);
    mkdirSync(work, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('introspects TPC-C (plain SQL, composite keys) into entities that type-check, verify clean and need no migration', async () => {
    const importFrom = path.join(repositoryRoot, 'src', 'index.ts');
    const code = await cli(['introspect', '--url', url, '--schema', 'tpcc', '--out', generated, '--import-from', importFrom]);
    expect(code).to.equal(0);
    expect(readdirSync(generated).sort()).to.deep.equal(['customer.ts', 'district.ts', 'history.ts', 'index.ts', 'item.ts', 'new-order.ts', 'order-line.ts', 'orders.ts', 'stock.ts', 'warehouse.ts']);
    const district = readFileSync(path.join(generated, 'district.ts'), 'utf8');
    expect(district).to.include("primaryKey: ['dWId', 'dId'],").and.include("parent: { entity: () => Warehouse, fields: ['dWId'] },").and.include("dStreet1: col.varchar({ length: 20, name: 'd_street_1' }),");
    expect(readFileSync(path.join(generated, 'customer.ts'), 'utf8')).to.include("customerByLast: ['cWId', 'cDId', 'cLast', 'cFirst'],");
    expect(readFileSync(path.join(generated, 'orders.ts'), 'utf8')).to.match(/^\/\/ foreign key \(o_w_id, o_d_id, o_c_id\) → tpcc\.customer: /m);
    // Deterministic: a second run writes the same bytes.
    const first = new Map(readdirSync(generated).map((f) => [f, readFileSync(path.join(generated, f), 'utf8')]));
    expect(await cli(['introspect', '--url', url, '--schema', 'tpcc', '--out', generated, '--import-from', importFrom])).to.equal(0);
    for (const [f, text] of first) expect(readFileSync(path.join(generated, f), 'utf8'), f).to.equal(text);

    writeFileSync(path.join(generated, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', allowImportingTsExtensions: true, skipLibCheck: true }, files: ['index.ts'] }));
    await run(process.execPath, [path.join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(generated, 'tsconfig.json')], { cwd: repositoryRoot }).catch((e: { stdout: string }) => expect.fail(`the generated entities do not type-check:\n${e.stdout}`));

    const db = await Database.open({ url, entities: await entitiesOf(generated) });
    try {
      expect(await db.schema.verify()).to.deep.equal([]);
    } finally {
      await db.close();
    }
    expect(await cli(['migrate', 'diff', '--url', url, '--entities', path.join(generated, 'index.ts'), '--dir', migrations, '--name', 'nothing'])).to.equal(0);
    expect(existsSync(migrations) ? readdirSync(migrations) : []).to.deep.equal([]);
  });

  it('a changed definition gives exactly its statements; up applies them (verify clean), down restores the catalog', async () => {
    const original = await catalogOf(url);
    cpSync(generated, changed, { recursive: true });
    const file = path.join(changed, 'warehouse.ts');
    const text = readFileSync(file, 'utf8')
      .replace('wName: col.varchar({ length: 10 }),', "wName: col.varchar({ length: 30 }),\n    wNote: col.text({ nullable: true }),")
      .replace(/\n\}\);\n$/, "\n  indexes: { byName: { columns: ['wName'], unique: true } },\n});\n");
    writeFileSync(file, text);
    expect(await cli(['migrate', 'diff', '--url', url, '--entities', path.join(changed, 'index.ts'), '--dir', migrations, '--name', 'warehouse-note'])).to.equal(0);
    const [written] = readdirSync(migrations);
    expect(written).to.match(/^\d+_warehouse-note\.sql$/);
    const migration = readFileSync(path.join(migrations, written as string), 'utf8');
    const section = (from: string, to?: string): string[] => migration.slice(migration.indexOf(from) + from.length, to ? migration.indexOf(to) : undefined).split('\n').filter((l) => l.trim() !== '');
    expect(section('-- Up Migration', '-- Down Migration')).to.deep.equal([
      'ALTER TABLE "tpcc"."warehouse" ALTER COLUMN "w_name" TYPE character varying(30);',
      'ALTER TABLE "tpcc"."warehouse" ADD COLUMN "w_note" text;',
      'CREATE UNIQUE INDEX "warehouse_by_name_idx" ON "tpcc"."warehouse" ("w_name");',
    ]);
    expect(section('-- Down Migration')).to.deep.equal([
      'DROP INDEX "tpcc"."warehouse_by_name_idx";',
      'ALTER TABLE "tpcc"."warehouse" DROP COLUMN "w_note";',
      'ALTER TABLE "tpcc"."warehouse" ALTER COLUMN "w_name" TYPE character varying(10);',
    ]);

    expect(await cli(['migrate', 'up', '--url', url, '--dir', migrations])).to.equal(0);
    const db = await Database.open({ url, entities: await entitiesOf(changed) });
    try {
      expect(await db.schema.verify()).to.deep.equal([]);
      expect((await db.schema.migrationPlan()).steps).to.deep.equal([]);
    } finally {
      await db.close();
    }
    expect(await catalogOf(url)).to.not.deep.equal(original);
    expect(await cli(['migrate', 'down', '--url', url, '--dir', migrations])).to.equal(0);
    expect(await catalogOf(url)).to.deep.equal(original);
  });

  it('writes a destructive change commented out with a warning, unless --allow-destructive', async () => {
    const narrowed = path.join(work, 'narrowed');
    cpSync(generated, narrowed, { recursive: true });
    const file = path.join(narrowed, 'item.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace("iName: col.varchar({ length: 24 }),", "iName: col.varchar({ length: 12 }),").replace("    iData: col.varchar({ length: 50 }),\n", ''));
    const dir = path.join(work, 'destructive');
    expect(await cli(['migrate', 'diff', '--url', url, '--entities', path.join(narrowed, 'index.ts'), '--dir', dir, '--name', 'narrow'])).to.equal(0);
    const guarded = readFileSync(path.join(dir, readdirSync(dir)[0] as string), 'utf8');
    expect(guarded).to.include('-- WARNING: character varying(24) → character varying(12) may truncate or refuse existing values.');
    expect(guarded).to.include('-- ALTER TABLE "tpcc"."item" ALTER COLUMN "i_name" TYPE character varying(12);');
    expect(guarded).to.include('-- WARNING: dropping tpcc.item.i_data deletes its values');
    expect(guarded).to.include('-- ALTER TABLE "tpcc"."item" DROP COLUMN "i_data";');
    expect(guarded.split('\n').filter((l) => /^(ALTER|CREATE|DROP)/.test(l))).to.deep.equal([]);
    rmSync(dir, { recursive: true });
    expect(await cli(['migrate', 'diff', '--url', url, '--entities', path.join(narrowed, 'index.ts'), '--dir', dir, '--name', 'narrow', '--allow-destructive'])).to.equal(0);
    const applied = readFileSync(path.join(dir, readdirSync(dir)[0] as string), 'utf8');
    expect(applied.split('\n').filter((l) => /^(ALTER|CREATE|DROP)/.test(l))).to.have.length(4);
  });

  it('says what went wrong in one line, with its exit code: unreachable (3), no permission (4), an unknown type (5), bad arguments (2)', async () => {
    const out = path.join(work, 'errors');
    const unreachable = await bin(['introspect', '--url', 'postgres://postgres@127.0.0.1:1/nowhere', '--out', out]);
    expect(unreachable.code).to.equal(3);
    expect(unreachable.stderr.trim().split('\n')).to.have.length(1);
    expect(unreachable.stderr).to.match(/^cellar: cannot reach the database \(postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere\)/);

    const dbName = new URL(url).pathname.slice(1);
    await sql(url, ['DROP ROLE IF EXISTS cellar_cli_noperm', "CREATE ROLE cellar_cli_noperm LOGIN PASSWORD 'noperm'", `REVOKE CONNECT ON DATABASE ${dbName} FROM PUBLIC`]);
    try {
      const as = new URL(url);
      as.username = 'cellar_cli_noperm';
      as.password = 'noperm';
      const denied = await bin(['introspect', '--url', as.toString(), '--out', out]);
      expect(denied.code).to.equal(4);
      expect(denied.stderr.trim().split('\n')).to.have.length(1);
      expect(denied.stderr).to.match(/^cellar: permission denied \(postgres:\/\/cellar_cli_noperm:\*\*\*@.*permission denied for database/);
    } finally {
      await sql(url, [`GRANT CONNECT ON DATABASE ${dbName} TO PUBLIC`, 'DROP ROLE cellar_cli_noperm']);
    }

    await sql(url, [
      'CREATE SCHEMA odd',
      "CREATE TABLE odd.doc (id bigserial PRIMARY KEY, title text NOT NULL, search tsvector, state varchar(10) NOT NULL DEFAULT 'draft', total numeric(12,2) DEFAULT 0)",
      'CREATE TABLE odd.doc_line (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id_doc bigint NOT NULL REFERENCES odd.doc ON DELETE CASCADE, n_order int NOT NULL, UNIQUE (id_doc, n_order))',
    ]);
    const partial = await bin(['introspect', '--url', url, '--schema', 'odd', '--out', out, '--import-from', path.join(repositoryRoot, 'src', 'index.ts')]);
    expect(partial.code).to.equal(5);
    expect(partial.stderr.trim().split('\n')).to.deep.equal([
      `cellar introspect: 2 tables → 3 files in ${out}`,
      'cellar introspect: odd.doc: column search left out: type tsvector has no cellar column kind; left out (reads do not return it, inserts leave it to its default)',
    ]);
    const doc = readFileSync(path.join(out, 'doc.ts'), 'utf8');
    expect(doc).to.include("id: col.id({ sequence: { name: 'odd.doc_id_seq', increment: 1 } }),").and.include('// column search: type tsvector has no cellar column kind');
    expect(doc).to.include("state: col.varchar({ length: 10, default: 'draft' }),").and.include("total: col.decimal({ precision: 12, scale: 2, nullable: true, default: '0' }),");
    const line = readFileSync(path.join(out, 'doc-line.ts'), 'utf8');
    expect(line).to.include("parent: { entity: () => Doc, field: 'idDoc', onDelete: 'cascade' },").and.include('id: col.identity({ always: true }),');
    expect(line).to.include('idDoc: col.ref(() => Doc),').and.include("docLineIdDocNOrderKey: { columns: ['idDoc', 'nOrder'], unique: true },");
    // The generated entities agree with the database, and work: a document with a line, cascaded away.
    const db = await Database.open({ url, entities: await entitiesOf(out) });
    try {
      expect(await db.schema.verify()).to.deep.equal([]);
      const [Doc, DocLine] = db.entities as unknown as [AnyEntity, AnyEntity];
      await db.transaction(async (s) => {
        const d = await s.api(Doc).insert({ title: 'A', state: 'draft' } as never);
        await s.api(DocLine).insertByParent(d as never, { nOrder: 1 } as never);
      });
      expect(await sql(url, ['SELECT count(*)::int AS n FROM odd.doc_line'])).to.deep.equal([[{ n: 1 }]]);
    } finally {
      await db.close();
    }

    const usage = await bin(['migrate', 'sideways']);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.match(/^cellar: unknown command "migrate sideways"\nusage:/);
  });
});
