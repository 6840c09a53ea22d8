import { CellarError } from './cellar-error.js';

/** The kinds of difference `db.schema.verify()` reports. */
export type SchemaMismatchKind =
  | 'missing-table'
  | 'missing-column'
  | 'column-type'
  | 'nullability'
  | 'primary-key'
  | 'missing-foreign-key'
  | 'missing-unique-index'
  | 'missing-sequence'
  | 'sequence-increment'
  | 'identity';

/** One difference between the definitions and the database. */
export interface SchemaMismatch {
  readonly kind: SchemaMismatchKind;
  /** The entity whose definition says otherwise. */
  readonly entity: string;
  /** The table, as the definition names it (`doc`, `tpcc.district`). */
  readonly table: string;
  /** The column, for column-level differences. */
  readonly column?: string;
  /** What the definition expects, and what the database has (absent when it has nothing). */
  readonly expected: string;
  readonly actual?: string;
  /** The difference in one sentence, with what to change. */
  readonly message: string;
}


/**
 * `Database.open({ verifySchema: true })` found the database different from the definitions. Every
 * difference is in `mismatches` (the same list `db.schema.verify()` returns); nothing was opened.
 */
export class SchemaMismatchError extends CellarError {
  readonly code = 'SCHEMA_MISMATCH' as const;

  constructor(readonly mismatches: readonly SchemaMismatch[]) {
    super(
      `the database does not match the entity definitions (${mismatches.length} difference${mismatches.length === 1 ? '' : 's'}):\n  - ${mismatches.map((m) => m.message).join('\n  - ')}\n` +
        'change the schema (or the definitions) until db.schema.verify() reports nothing',
    );
  }
}
