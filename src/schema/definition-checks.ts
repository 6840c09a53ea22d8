import { Ajv } from 'ajv';
import { DefinitionError } from '../errors/definition-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { AnyColumnSpec } from './column-spec.js';
import type { EntityDefinition } from './entity-definition.js';
import { indexFields, MAX_IDENTIFIER_BYTES, snakeCase, splitTableName } from './naming.js';
import { COLUMN_KINDS, columnTypeOf } from './types/registry.js';
import { createNormalizer } from './value-normalizer.js';

/** The options a kind may take, besides nullable and default (each kind lists its own). */
const KIND_OPTIONS = ['maxLength', 'length', 'enum', 'precision', 'scale', 'references', 'mode', 'sequence', 'always'] as const;

const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';

const definitionSchema = {
  type: 'object',
  required: ['name', 'columns'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: IDENTIFIER },
    table: { type: 'string', minLength: 1, pattern: '^[^\\u0000"]+$' },
    schema: { type: 'string', minLength: 1, pattern: '^[^\\u0000"]+$' },
    columns: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: IDENTIFIER },
      additionalProperties: { $ref: '#/$defs/column' },
    },
    primaryKey: {
      oneOf: [{ type: 'string' }, { type: 'array', uniqueItems: true, items: { type: 'string' } }],
    },
    parent: {
      type: 'object',
      required: ['entity'],
      additionalProperties: false,
      properties: {
        entity: {},
        field: { type: 'string' },
        fields: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
        onDelete: { enum: ['cascade', 'restrict'] },
      },
    },
    cache: {
      type: 'object',
      required: ['ttlMs'],
      additionalProperties: false,
      properties: {
        ttlMs: { type: 'integer', minimum: 1 },
        maxEntries: { type: 'integer', minimum: 1 },
      },
    },
    indexes: {
      type: 'object',
      propertyNames: { pattern: IDENTIFIER },
      additionalProperties: {
        oneOf: [
          { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
          {
            type: 'object',
            required: ['columns'],
            additionalProperties: false,
            properties: { columns: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } }, unique: { type: 'boolean' } },
          },
        ],
      },
    },
  },
  $defs: {
    column: {
      type: 'object',
      required: ['kind', 'nullable'],
      additionalProperties: false,
      properties: {
        kind: { enum: COLUMN_KINDS },
        name: { type: 'string', minLength: 1, pattern: '^[^\\u0000]+$' },
        nullable: { type: 'boolean' },
        default: {},
        maxLength: { type: 'integer', minimum: 1, maximum: 10_485_760 },
        length: { type: 'integer', minimum: 1, maximum: 10_485_760 },
        enum: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
        precision: { type: 'integer', minimum: 1, maximum: 1000 },
        scale: { type: 'integer', minimum: 0, maximum: 1000 },
        references: {},
        mode: { enum: ['number', 'bigint'] },
        sequence: {
          type: 'object',
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, pattern: '^[^\\u0000"]+$' }, increment: { type: 'integer' } },
        },
        always: { type: 'boolean' },
      },
    },
  },
} as const;

const validateShape = new Ajv({ allErrors: true, strict: true }).compile(definitionSchema);

/**
 * Checks one entity definition: its shape against the ajv schema, then what a schema cannot say
 * (one id, options that fit the kind, defaults that fit the column, parent and index fields that
 * exist, identifier lengths). Throws one `DefinitionError` listing every problem.
 */
export function checkEntityDefinition(def: EntityDefinition<Record<string, AnyColumnSpec>>): void {
  const label = typeof def?.name === 'string' ? def.name : '(unnamed entity)';
  if (!validateShape(def)) {
    throw new DefinitionError(
      (validateShape.errors ?? []).map((e) => `${label}${e.instancePath.replaceAll('/', '.')}: ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${String(e.params['allowedValues'])})` : ''}`),
    );
  }
  const problems: string[] = [];
  const columns = Object.entries(def.columns);
  const generated = (what: 'id' | 'version') => columns.filter(([, c]) => columnTypeOf(c.kind).generated === what).length;
  const generatedKeys = columns.filter(([, c]) => columnTypeOf(c.kind).generated === 'id').map(([f]) => f);
  const primaryKey = def.primaryKey === undefined ? undefined : typeof def.primaryKey === 'string' ? [def.primaryKey] : def.primaryKey;
  if (generatedKeys.length > 1) problems.push(`${label}: has ${generatedKeys.length} generated key columns (col.id / col.identity); an entity has one at most`);
  if (primaryKey === undefined && generatedKeys.length === 0) problems.push(`${label}: has no primary key: add a col.id() (or col.identity()) column, or name the key fields in primaryKey`);
  for (const f of primaryKey ?? []) {
    const spec = def.columns[f];
    if (!spec) problems.push(`${label}.primaryKey: field "${f}" is not a column`);
    else if (spec.nullable) problems.push(`${label}.primaryKey: field "${f}" is nullable; key columns cannot be`);
  }
  if (primaryKey && generatedKeys.length === 1 && (primaryKey.length !== 1 || primaryKey[0] !== generatedKeys[0])) {
    problems.push(`${label}.primaryKey: the generated key ${generatedKeys[0]} must be the whole primary key`);
  }
  if (primaryKey?.length === 0 && def.cache) problems.push(`${label}: an entity without a primary key (primaryKey: []) cannot be cached by key; drop cache`);
  if (generated('version') > 1) problems.push(`${label}: has more than one col.version() column`);
  const { schema, table } = splitTableName(def.table ?? snakeCase(def.name), def.schema);
  checkIdentifier(problems, `${label}: table name`, table);
  if (schema !== undefined) checkIdentifier(problems, `${label}: schema name`, schema);
  for (const [field, spec] of columns) for (const problem of columnProblems(label, field, spec)) problems.push(problem);
  if (def.parent && (def.parent.field === undefined) === (def.parent.fields === undefined)) problems.push(`${label}.parent: give field (a col.ref) or fields (the columns holding the parent's key), one of them`);
  else if (def.parent?.fields) {
    for (const f of def.parent.fields) if (!def.columns[f]) problems.push(`${label}.parent: field "${f}" is not a column`);
  } else if (def.parent?.field !== undefined) {
    const field = def.parent.field;
    const parentColumn = def.columns[field];
    if (!parentColumn) problems.push(`${label}.parent: field "${field}" is not a column`);
    else if (parentColumn.kind !== 'ref') problems.push(`${label}.parent: field "${field}" must be a col.ref(...) to the parent entity (or name the key columns in fields)`);
    else if (typeof def.parent.entity !== 'function' && typeof parentColumn.references !== 'function' && parentColumn.references !== def.parent.entity) {
      problems.push(`${label}.parent: field "${field}" references ${parentColumn.references?.name}, not the parent ${def.parent.entity.name}`);
    }
  }
  for (const [name, index] of Object.entries(def.indexes ?? {})) {
    for (const f of indexFields(index)) if (!(f in def.columns)) problems.push(`${label}.indexes.${name}: field "${f}" is not a column`);
  }
  if (problems.length > 0) throw new DefinitionError(problems);
}

function columnProblems(label: string, field: string, spec: AnyColumnSpec): string[] {
  const problems: string[] = [];
  const at = `${label}.columns.${field}`;
  checkIdentifier(problems, at, spec.name ?? snakeCase(field));
  const type = columnTypeOf(spec.kind);
  for (const option of KIND_OPTIONS) {
    if (spec[option] !== undefined && !type.options.includes(option)) problems.push(`${at}: ${option} does not apply to col.${spec.kind}`);
  }
  for (const problem of type.optionProblems?.(spec) ?? []) problems.push(`${at}: ${problem}`);
  if (spec.default !== undefined) {
    if (type.generated) problems.push(`${at}: ${spec.kind} columns take no default`);
    else {
      try {
        createNormalizer(label, field, spec)(spec.default);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        problems.push(`${at}: default ${e.message.slice(label.length + field.length + 3)}`);
      }
    }
  }
  return problems;
}

function checkIdentifier(problems: string[], at: string, identifier: string): void {
  if (Buffer.byteLength(identifier) > MAX_IDENTIFIER_BYTES) {
    problems.push(`${at}: identifier "${identifier}" is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes; shorten the name`);
  }
}
