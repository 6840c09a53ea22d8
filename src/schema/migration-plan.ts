import { columnDdl, schemaDdl } from './ddl.js';
import type { EntityMeta } from './entity-meta.js';
import type { EntityRegistry } from './entity-registry.js';
import type { ExpectedTable } from './expected-schema.js';
import { generatedIdentifier, quoteIdentifier as q, snakeCase } from './naming.js';
import type { LiveTable, SchemaMismatch } from './schema-diff.js';

/** One change of a migration: its statement, the one that undoes it, and why it may lose data. */
export interface MigrationStep {
  /** The statement(s) that make the database what the definitions say. */
  readonly up: string;
  /** The statement(s) that undo `up`. */
  readonly down: string;
  /** Set when `up` can lose data (a dropped column, a narrowed type): written commented out unless allowed. */
  readonly destructive?: string;
}

/** The migration from the live database to the definitions, and what it cannot express. */
export interface MigrationPlan {
  /** The changes, in the order they apply (a down migration undoes them in reverse). */
  readonly steps: readonly MigrationStep[];
  /** Differences no statement is generated for (a primary key, a sequence, an identity): change them by hand. */
  readonly manual: readonly string[];
}

/** Types whose values all fit the next: a change along this order widens. */
const INTEGER_WIDTH: Readonly<Record<string, number>> = { smallint: 1, integer: 2, bigint: 3 };

/** Why changing `from` to `to` can lose or refuse data, or undefined when it only widens. */
function narrowing(from: string, to: string): string | undefined {
  if (INTEGER_WIDTH[from] && INTEGER_WIDTH[to]) return (INTEGER_WIDTH[to] as number) >= (INTEGER_WIDTH[from] as number) ? undefined : `${from} → ${to} refuses values that do not fit`;
  const length = (t: string): number | undefined => Number(/^(?:character varying|character)\((\d+)\)$/.exec(t)?.[1] ?? NaN) || undefined;
  if (/^character varying/.test(from) && (to === 'text' || (/^character varying/.test(to) && (length(to) ?? 0) >= (length(from) ?? Infinity)))) return undefined;
  const numeric = (t: string): [number, number] | undefined => {
    const m = /^numeric\((\d+),(\d+)\)$/.exec(t);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  };
  const a = numeric(from);
  const b = numeric(to);
  if (a && (to === 'numeric' || (b && b[1] >= a[1] && b[0] - b[1] >= a[0] - a[1]))) return undefined;
  return `${from} → ${to} may truncate or refuse existing values`;
}

/**
 * The statements that make the live tables what the definitions say, from `db.schema.verify()`'s
 * comparison (its mismatches), plus the columns the live tables have and the definitions do not
 * (dropped: destructive). Each step carries the statement that undoes it.
 */
export function migrationPlan(registry: EntityRegistry, expected: readonly ExpectedTable[], live: ReadonlyMap<string, LiveTable>, mismatches: readonly SchemaMismatch[]): MigrationPlan {
  const steps: MigrationStep[] = [];
  const manual: string[] = [];
  const ddl = new Map(schemaDdl(registry).entities.map((e) => [e.meta, e]));
  for (const table of expected) {
    const { meta } = table;
    const found = live.get(meta.sqlTable);
    const own = mismatches.filter((m) => m.entity === meta.name);
    if (!found?.exists) {
      const entity = ddl.get(meta);
      steps.push({ up: [...(entity?.create ?? []), ...(entity?.indexes ?? [])].join(';\n'), down: `DROP TABLE ${meta.sqlTable}${meta.key.source === 'sequence' ? `;\nDROP SEQUENCE IF EXISTS ${meta.sqlSequence}` : ''}` });
      continue;
    }
    for (const m of own) {
      const column = meta.columns.find((c) => c.column === m.column);
      const alter = `ALTER TABLE ${meta.sqlTable}`;
      switch (m.kind) {
        case 'missing-column':
          if (column) steps.push({ up: `${alter} ADD COLUMN ${columnDdl(meta, column)}`, down: `${alter} DROP COLUMN ${q(column.column)}` });
          break;
        case 'column-type': {
          const to = m.expected.split(' or ')[0] as string;
          const from = m.actual as string;
          const risk = narrowing(from, to);
          steps.push({ up: `${alter} ALTER COLUMN ${q(m.column as string)} TYPE ${to}`, down: `${alter} ALTER COLUMN ${q(m.column as string)} TYPE ${from}`, ...(risk ? { destructive: risk } : {}) });
          break;
        }
        case 'nullability':
          steps.push(
            m.expected === 'NOT NULL'
              ? { up: `${alter} ALTER COLUMN ${q(m.column as string)} SET NOT NULL`, down: `${alter} ALTER COLUMN ${q(m.column as string)} DROP NOT NULL` }
              : { up: `${alter} ALTER COLUMN ${q(m.column as string)} DROP NOT NULL`, down: `${alter} ALTER COLUMN ${q(m.column as string)} SET NOT NULL` },
          );
          break;
        case 'missing-unique-index': {
          const index = meta.indexes.find((i) => i.unique && i.columnIndexes.map((at) => meta.columns[at]?.column).join(', ') === m.column);
          const name = generatedIdentifier(`${meta.tableName}_${snakeCase(index?.name ?? 'unique')}`, '_idx');
          steps.push({ up: `CREATE UNIQUE INDEX ${q(name)} ON ${meta.sqlTable} (${(m.column as string).split(', ').map(q).join(', ')})`, down: `DROP INDEX ${qualified(meta, name)}` });
          break;
        }
        case 'missing-foreign-key': {
          const fk = table.foreignKeys.find((f) => f.columns.join(', ') === m.column);
          if (!fk) break;
          const name = generatedIdentifier(`${meta.tableName}_${fk.columns.join('_')}`, '_fkey');
          steps.push({ up: `${alter} ADD CONSTRAINT ${q(name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) REFERENCES ${fk.targetTable} (${fk.targetColumns.map(q).join(', ')})`, down: `${alter} DROP CONSTRAINT ${q(name)}` });
          break;
        }
        default:
          manual.push(m.message);
      }
    }
    const declared = new Set(meta.columns.map((c) => c.column));
    for (const [name, column] of found.columns) {
      if (declared.has(name)) continue;
      steps.push({
        up: `ALTER TABLE ${meta.sqlTable} DROP COLUMN ${q(name)}`,
        down: `ALTER TABLE ${meta.sqlTable} ADD COLUMN ${q(name)} ${column.type}${column.notNull ? ' NOT NULL' : ''}`,
        destructive: `dropping ${meta.table}.${name} deletes its values (no definition declares it); the down migration re-adds the column, not the values`,
      });
    }
  }
  return { steps, manual };
}

function qualified(meta: EntityMeta, name: string): string {
  return meta.schema === undefined ? q(name) : `${q(meta.schema)}.${q(name)}`;
}

/** The migration as node-pg-migrate's SQL file: `-- Up Migration`, then `-- Down Migration` (steps undone in reverse). */
export function migrationFile(plan: MigrationPlan, options: { readonly allowDestructive: boolean; readonly source: string }): string {
  const render = (sql: string, warning: string | undefined, direction: 'up' | 'down'): string => {
    if (!warning || options.allowDestructive) return `${sql};`;
    const why = direction === 'up' ? `WARNING: ${warning}.` : 'undoes the commented-out step above.';
    return `-- ${why} Written commented out: rerun \`cellar migrate diff\` with --allow-destructive to apply it.\n${sql.split('\n').map((l) => `-- ${l}`).join('\n')};`;
  };
  const lines = [`-- Generated by \`cellar migrate diff\` from ${options.source}.`];
  for (const m of plan.manual) lines.push(`-- Not generated (change it by hand): ${m}`);
  lines.push('', '-- Up Migration', ...plan.steps.map((s) => render(s.up, s.destructive, 'up')), '', '-- Down Migration', ...[...plan.steps].reverse().map((s) => render(s.down, s.destructive, 'down')), '');
  return lines.join('\n');
}
