import type { AnyColumnSpec } from './column-spec.js';
import type { ColumnType } from './types/column-type.js';
import type { Normalizer } from './value-normalizer.js';

/** One column of an entity as the runtime sees it. */
export interface ColumnMeta {
  /** Property name in TypeScript, e.g. `docNumber`. */
  readonly field: string;
  /** Column name in PostgreSQL, e.g. `doc_number`. */
  readonly column: string;
  /** Position in a row's value array. */
  readonly index: number;
  readonly spec: AnyColumnSpec;
  /** The kind's behaviour (src/schema/types). */
  readonly type: ColumnType;
  /** The type of casts and unnest arrays: `int8`, `numeric`, `text`. */
  readonly castType: string;
  /** The type in DDL, with modifiers: `varchar(40)`. */
  readonly sqlType: string;
  /** Validates and canonicalizes a value for this column; throws `ValidationError`. */
  readonly normalize: Normalizer;
  /** The normalized default, or undefined when the column has none. */
  readonly defaultValue: unknown;
}
