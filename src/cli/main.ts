import { parseArgs } from 'node:util';
import { CliError, cliErrorOf, EXIT } from './cli-error.js';
import { introspect } from './introspect-command.js';
import { migrateDiff, migrateRun } from './migrate-command.js';

const USAGE = `usage:
  cellar introspect [--url URL] --out DIR [--schema NAME]... [--import-from MODULE]
  cellar migrate diff --name NAME --entities MODULE [--url URL] [--dir DIR] [--allow-destructive]
  cellar migrate up [--url URL] [--dir DIR] [--count N]
  cellar migrate down [--url URL] [--dir DIR] [--count N]
--url defaults to DATABASE_URL; --dir to ./migrations; exit codes: docs/starting-from-an-existing-database.md`;

const toStderr = (line: string): void => void process.stderr.write(`${line}\n`);

/** Runs one `cellar` command line; resolves with the exit code (never throws). Every line it says goes to `say` (stderr). */
export async function runCli(argv: readonly string[], say: (line: string) => void = toStderr): Promise<number> {
  let url: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        out: { type: 'string' },
        schema: { type: 'string', multiple: true },
        'import-from': { type: 'string' },
        name: { type: 'string' },
        entities: { type: 'string' },
        dir: { type: 'string' },
        count: { type: 'string' },
        'allow-destructive': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      say(USAGE);
      return EXIT.ok;
    }
    url = values.url ?? process.env['DATABASE_URL'];
    const need = (value: string | undefined, flag: string): string => {
      if (value === undefined || value === '') throw new CliError(`${flag} is required\n${USAGE}`, EXIT.usage);
      return value;
    };
    const [command, sub] = positionals;
    if (command === 'introspect') {
      return await introspect({ url: need(url, '--url (or DATABASE_URL)'), out: need(values.out, '--out'), schemas: values.schema ?? ['public'], importFrom: values['import-from'] ?? 'cellar' }, say);
    }
    if (command === 'migrate' && sub === 'diff') {
      await migrateDiff({ url: need(url, '--url (or DATABASE_URL)'), entities: need(values.entities, '--entities'), dir: values.dir ?? 'migrations', name: need(values.name, '--name'), allowDestructive: values['allow-destructive'] === true }, say);
      return EXIT.ok;
    }
    if (command === 'migrate' && (sub === 'up' || sub === 'down')) {
      const count = values.count === undefined ? undefined : Number(values.count);
      if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1)) throw new CliError(`--count takes a whole number ≥ 1, got ${values.count}`, EXIT.usage);
      await migrateRun({ url: need(url, '--url (or DATABASE_URL)'), dir: values.dir ?? 'migrations', direction: sub, count }, say);
      return EXIT.ok;
    }
    throw new CliError(`unknown command "${positionals.join(' ')}"\n${USAGE}`, EXIT.usage);
  } catch (e) {
    const error = e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? new CliError(`${e.message}\n${USAGE}`, EXIT.usage) : cliErrorOf(e, url);
    say(`cellar: ${error.message}`);
    return error.exitCode;
  }
}
