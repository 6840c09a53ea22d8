import { col, defineEntity } from '../src/index.js';

/** A stock item. */
export const Item = defineEntity({
  name: 'Item',
  columns: { id: col.id(), code: col.text({ maxLength: 20 }), price: col.decimal({ precision: 18, scale: 2 }) },
});

/** A receipt document of the warehouse. */
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
    idItem: col.ref(Item),
    qty: col.decimal({ precision: 18, scale: 3 }),
    price: col.decimal({ precision: 18, scale: 2 }),
  },
  indexes: { byItem: ['idItem'] },
});

/** A lot (batch) of a receipt line. */
export const ReceiptLot = defineEntity({
  name: 'ReceiptLot',
  parent: { entity: ReceiptLine, field: 'idLine', onDelete: 'cascade' },
  columns: { id: col.id(), idLine: col.ref(ReceiptLine), lotCode: col.text(), qty: col.decimal({ precision: 18, scale: 3 }) },
});

/** The status register: one status per item. */
export const ItemStatus = defineEntity({
  name: 'ItemStatus',
  columns: { id: col.id(), idItem: col.ref(Item), status: col.text({ enum: ['in-stock', 'low', 'out'] }), qtyOnHand: col.decimal({ precision: 18, scale: 3 }) },
  indexes: { byItem: ['idItem'] },
});

/** Every entity of the demo. */
export const warehouseEntities = [Item, Receipt, ReceiptLine, ReceiptLot, ItemStatus];
