import { col, defineEntity } from '../src/index.js';

/** A receipt document of the demo warehouse. */
export const Receipt = defineEntity({
  name: 'Receipt',
  columns: {
    id: col.id(),
    docNumber: col.text({ maxLength: 40 }),
    docDate: col.date(),
    state: col.text({ enum: ['draft', 'approved'], default: 'draft' }),
    total: col.decimal({ precision: 18, scale: 2, default: '0' }),
    version: col.version(),
  },
});

/** A line of a receipt: an item, a quantity and a price. */
export const ReceiptLine = defineEntity({
  name: 'ReceiptLine',
  parent: { entity: Receipt, field: 'idReceipt', onDelete: 'cascade' },
  columns: {
    id: col.id(),
    idReceipt: col.ref(Receipt),
    nOrder: col.int(),
    idItem: col.bigint(),
    qty: col.decimal({ precision: 18, scale: 3 }),
    price: col.decimal({ precision: 18, scale: 2 }),
  },
  indexes: { byItem: ['idItem'] },
});
