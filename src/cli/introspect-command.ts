import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { introspectTables } from '../db/catalog-introspector.js';
import { ConnectionPool } from '../db/connection-pool.js';
import { entitySources } from '../schema/entity-source.js';
import { CliError, EXIT, withoutPassword } from './cli-error.js';

/** Options of `cellar introspect`. */
export interface IntrospectOptions {
  readonly url: string;
  readonly out: string;
  readonly schemas: readonly string[];
  readonly importFrom: string;
}

/**
 * Reads the catalog and writes one `defineEntity` file per table of `schemas` into `out`, and an
 * `index.ts`. Returns the exit code: `partial` when something was left out (said on stderr).
 */
export async function introspect(options: IntrospectOptions, say: (line: string) => void): Promise<number> {
  const pool = new ConnectionPool(options.url, { max: 1, applicationName: 'cellar introspect' });
  try {
    const tables = await pool.withConnection((c) => introspectTables(c, options.schemas));
    if (tables.length === 0) throw new CliError(`no tables in schema ${options.schemas.join(', ')} of ${withoutPassword(options.url)}; name the schema with --schema`, EXIT.usage);
    const source = `${withoutPassword(options.url).replace(/\/\/([^:@/]*):\*\*\*@/, '//$1@')}, schema ${options.schemas.join(', ')}`;
    const { files, leftOut } = entitySources(tables, { importFrom: options.importFrom, source });
    mkdirSync(options.out, { recursive: true });
    for (const [name, text] of files) writeFileSync(path.join(options.out, name), text);
    say(`cellar introspect: ${tables.length} tables → ${files.size} files in ${options.out}`);
    for (const l of leftOut) say(`cellar introspect: ${l.table}: ${l.what} ${l.kind === 'column' ? 'left out' : 'not modelled'}: ${l.why}`);
    return leftOut.some((l) => l.kind === 'column') ? EXIT.partial : EXIT.ok;
  } finally {
    await pool.end();
  }
}
