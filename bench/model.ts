import { col, defineEntity } from '../src/index.js';

/** Bench tables (prefixed, so the bench never touches an application's tables). */
export const BenchDoc = defineEntity({
  name: 'BenchDoc',
  columns: {
    id: col.id(),
    docNumber: col.text({ maxLength: 40 }),
    docDate: col.date(),
    total: col.decimal({ precision: 18, scale: 2 }),
  },
});

export const BenchLine = defineEntity({
  name: 'BenchLine',
  parent: { entity: BenchDoc, field: 'idDoc', onDelete: 'cascade' },
  columns: {
    id: col.id(),
    idDoc: col.ref(BenchDoc),
    nOrder: col.int(),
    idItem: col.bigint(),
    qty: col.decimal({ precision: 18, scale: 3 }),
    price: col.decimal({ precision: 18, scale: 2 }),
  },
  indexes: { byItem: ['idItem'] },
});

export const BenchLot = defineEntity({
  name: 'BenchLot',
  parent: { entity: BenchLine, field: 'idLine', onDelete: 'cascade' },
  columns: {
    id: col.id(),
    idLine: col.ref(BenchLine),
    lotCode: col.text(),
    qty: col.decimal({ precision: 18, scale: 3 }),
  },
});
