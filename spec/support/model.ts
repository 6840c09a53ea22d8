import { col, defineEntity } from '../../src/index.js';

/** The document model the specs share: documents, their lines, the lines' lots. */
export const Doc = defineEntity({
  name: 'Doc',
  columns: {
    id: col.id(),
    docNumber: col.text({ maxLength: 40 }),
    docDate: col.date(),
    state: col.text({ enum: ['draft', 'approved'], default: 'draft' }),
    total: col.decimal({ precision: 18, scale: 2, nullable: true }),
  },
});

export const DocLine = defineEntity({
  name: 'DocLine',
  parent: { entity: Doc, field: 'idDoc', onDelete: 'cascade' },
  columns: {
    id: col.id(),
    idDoc: col.ref(Doc),
    nOrder: col.int(),
    idItem: col.bigint(),
    qty: col.decimal({ precision: 18, scale: 3 }),
    note: col.text({ nullable: true }),
  },
  indexes: { byItem: ['idItem'], byDocItem: ['idDoc', 'idItem'] },
});

export const Lot = defineEntity({
  name: 'Lot',
  parent: { entity: DocLine, field: 'idLine', onDelete: 'cascade' },
  columns: {
    id: col.id(),
    idLine: col.ref(DocLine),
    lotCode: col.text(),
    qty: col.decimal({ precision: 18, scale: 3 }),
  },
});

/** A row with an optimistic-lock version column. */
export const Account = defineEntity({
  name: 'Account',
  columns: {
    id: col.id(),
    code: col.text({ maxLength: 20 }),
    balance: col.decimal({ precision: 18, scale: 2, default: '0' }),
    version: col.version(),
  },
});

/** One column of every kind, for the type round-trip specs. */
export const Sample = defineEntity({
  name: 'Sample',
  columns: {
    id: col.id(),
    big: col.bigint({ nullable: true }),
    num: col.int({ nullable: true }),
    label: col.text({ nullable: true }),
    short: col.text({ maxLength: 5, nullable: true }),
    amount: col.decimal({ precision: 18, scale: 3, nullable: true }),
    free: col.decimal({ nullable: true }),
    day: col.date({ nullable: true }),
    at: col.timestamptz({ nullable: true }),
    flag: col.bool({ nullable: true }),
    ratio: col.float8({ nullable: true }),
    doc: col.jsonb<{ a?: number; tags?: string[] }>({ nullable: true }),
  },
});

/** Every entity of the model, in no particular order. */
export const allEntities = [Lot, DocLine, Doc, Account, Sample];
