import { col, defineEntity } from '../../src/index.js';

/**
 * TPC-C's nine tables (clause 1.3) as an existing application would have created them — plain SQL,
 * the standard's column names, its composite primary keys, no surrogate ids, HISTORY without a key —
 * and their mapping with `defineEntity`, as they are.
 */
export const TPCC_DDL = [
  'create schema if not exists tpcc',
  `create table tpcc.warehouse (w_id int primary key, w_name varchar(10) not null, w_street_1 varchar(20) not null, w_street_2 varchar(20) not null,
     w_city varchar(20) not null, w_state char(2) not null, w_zip char(9) not null, w_tax numeric(4,4) not null, w_ytd numeric(12,2) not null)`,
  `create table tpcc.district (d_id smallint, d_w_id int references tpcc.warehouse, d_name varchar(10) not null, d_street_1 varchar(20) not null,
     d_street_2 varchar(20) not null, d_city varchar(20) not null, d_state char(2) not null, d_zip char(9) not null, d_tax numeric(4,4) not null,
     d_ytd numeric(12,2) not null, d_next_o_id int not null, primary key (d_w_id, d_id))`,
  `create table tpcc.customer (c_id int, c_d_id smallint, c_w_id int, c_first varchar(16) not null, c_middle char(2) not null, c_last varchar(16) not null,
     c_street_1 varchar(20) not null, c_street_2 varchar(20) not null, c_city varchar(20) not null, c_state char(2) not null, c_zip char(9) not null,
     c_phone char(16) not null, c_since timestamp not null, c_credit char(2) not null, c_credit_lim numeric(12,2) not null, c_discount numeric(4,4) not null,
     c_balance numeric(12,2) not null, c_ytd_payment numeric(12,2) not null, c_payment_cnt int not null, c_delivery_cnt int not null, c_data varchar(500) not null,
     primary key (c_w_id, c_d_id, c_id), foreign key (c_w_id, c_d_id) references tpcc.district (d_w_id, d_id))`,
  'create index customer_by_last on tpcc.customer (c_w_id, c_d_id, c_last, c_first)',
  `create table tpcc.history (h_c_id int not null, h_c_d_id smallint not null, h_c_w_id int not null, h_d_id smallint not null, h_w_id int not null,
     h_date timestamp not null, h_amount numeric(6,2) not null, h_data varchar(24) not null,
     foreign key (h_c_w_id, h_c_d_id, h_c_id) references tpcc.customer, foreign key (h_w_id, h_d_id) references tpcc.district)`,
  `create table tpcc.orders (o_id int, o_d_id smallint, o_w_id int, o_c_id int not null, o_entry_d timestamp not null, o_carrier_id smallint,
     o_ol_cnt smallint not null, o_all_local smallint not null, primary key (o_w_id, o_d_id, o_id),
     foreign key (o_w_id, o_d_id, o_c_id) references tpcc.customer (c_w_id, c_d_id, c_id))`,
  'create index orders_by_customer on tpcc.orders (o_w_id, o_d_id, o_c_id, o_id)',
  `create table tpcc.new_order (no_o_id int, no_d_id smallint, no_w_id int, primary key (no_w_id, no_d_id, no_o_id),
     foreign key (no_w_id, no_d_id, no_o_id) references tpcc.orders (o_w_id, o_d_id, o_id))`,
  `create table tpcc.item (i_id int primary key, i_im_id int not null, i_name varchar(24) not null, i_price numeric(5,2) not null, i_data varchar(50) not null)`,
  `create table tpcc.stock (s_i_id int references tpcc.item, s_w_id int references tpcc.warehouse, s_quantity smallint not null,
     ${Array.from({ length: 10 }, (_, i) => `s_dist_${String(i + 1).padStart(2, '0')} char(24) not null`).join(', ')},
     s_ytd int not null, s_order_cnt smallint not null, s_remote_cnt smallint not null, s_data varchar(50) not null, primary key (s_w_id, s_i_id))`,
  `create table tpcc.order_line (ol_o_id int, ol_d_id smallint, ol_w_id int, ol_number smallint, ol_i_id int not null, ol_supply_w_id int not null,
     ol_delivery_d timestamp, ol_quantity smallint not null, ol_amount numeric(6,2) not null, ol_dist_info char(24) not null,
     primary key (ol_w_id, ol_d_id, ol_o_id, ol_number), foreign key (ol_w_id, ol_d_id, ol_o_id) references tpcc.orders (o_w_id, o_d_id, o_id),
     foreign key (ol_supply_w_id, ol_i_id) references tpcc.stock (s_w_id, s_i_id))`,
];

export const TPCC_DROP = 'drop schema if exists tpcc cascade';

const address = (p: string) => ({
  street1: col.varchar({ length: 20, name: `${p}_street_1` }),
  street2: col.varchar({ length: 20, name: `${p}_street_2` }),
  city: col.varchar({ length: 20, name: `${p}_city` }),
  state: col.char({ length: 2, name: `${p}_state` }),
  zip: col.char({ length: 9, name: `${p}_zip` }),
});

export const Warehouse = defineEntity({
  name: 'Warehouse',
  table: 'tpcc.warehouse',
  primaryKey: 'wId',
  columns: { wId: col.int(), wName: col.varchar({ length: 10 }), ...address('w'), wTax: col.decimal({ precision: 4, scale: 4 }), wYtd: col.decimal({ precision: 12, scale: 2 }) },
});

export const District = defineEntity({
  name: 'District',
  table: 'tpcc.district',
  primaryKey: ['dWId', 'dId'],
  parent: { entity: Warehouse, fields: ['dWId'] },
  columns: {
    dId: col.int2(),
    dWId: col.int(),
    dName: col.varchar({ length: 10 }),
    ...address('d'),
    dTax: col.decimal({ precision: 4, scale: 4 }),
    dYtd: col.decimal({ precision: 12, scale: 2 }),
    dNextOId: col.int(),
  },
});

export const Customer = defineEntity({
  name: 'Customer',
  table: 'tpcc.customer',
  primaryKey: ['cWId', 'cDId', 'cId'],
  parent: { entity: District, fields: ['cWId', 'cDId'] },
  indexes: { byLast: ['cWId', 'cDId', 'cLast'] },
  columns: {
    cId: col.int(),
    cDId: col.int2(),
    cWId: col.int(),
    cFirst: col.varchar({ length: 16 }),
    cMiddle: col.char({ length: 2 }),
    cLast: col.varchar({ length: 16 }),
    ...address('c'),
    cPhone: col.char({ length: 16 }),
    cSince: col.timestamp(),
    cCredit: col.char({ length: 2 }),
    cCreditLim: col.decimal({ precision: 12, scale: 2 }),
    cDiscount: col.decimal({ precision: 4, scale: 4 }),
    cBalance: col.decimal({ precision: 12, scale: 2 }),
    cYtdPayment: col.decimal({ precision: 12, scale: 2 }),
    cPaymentCnt: col.int(),
    cDeliveryCnt: col.int(),
    cData: col.varchar({ length: 500 }),
  },
});

/** HISTORY has no primary key in TPC-C: an insert-only entity. */
export const History = defineEntity({
  name: 'History',
  table: 'tpcc.history',
  primaryKey: [],
  columns: {
    hCId: col.int(),
    hCDId: col.int2({ name: 'h_c_d_id' }),
    hCWId: col.int({ name: 'h_c_w_id' }),
    hDId: col.int2(),
    hWId: col.int(),
    hDate: col.timestamp(),
    hAmount: col.decimal({ precision: 6, scale: 2 }),
    hData: col.varchar({ length: 24 }),
  },
});

export const Order = defineEntity({
  name: 'Order',
  table: 'tpcc.orders',
  primaryKey: ['oWId', 'oDId', 'oId'],
  parent: { entity: Customer, fields: ['oWId', 'oDId', 'oCId'] },
  columns: {
    oId: col.int(),
    oDId: col.int2(),
    oWId: col.int(),
    oCId: col.int(),
    oEntryD: col.timestamp(),
    oCarrierId: col.int2({ nullable: true }),
    oOlCnt: col.int2(),
    oAllLocal: col.int2(),
  },
});

export const NewOrder = defineEntity({
  name: 'NewOrder',
  table: 'tpcc.new_order',
  primaryKey: ['noWId', 'noDId', 'noOId'],
  parent: { entity: Order, fields: ['noWId', 'noDId', 'noOId'], onDelete: 'cascade' },
  columns: { noOId: col.int(), noDId: col.int2(), noWId: col.int() },
});

export const Item = defineEntity({
  name: 'Item',
  table: 'tpcc.item',
  primaryKey: 'iId',
  columns: { iId: col.int(), iImId: col.int(), iName: col.varchar({ length: 24 }), iPrice: col.decimal({ precision: 5, scale: 2 }), iData: col.varchar({ length: 50 }) },
});

const dists = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`sDist${i + 1}`, col.char({ length: 24, name: `s_dist_${String(i + 1).padStart(2, '0')}` })])) as Record<
  `sDist${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}`,
  ReturnType<typeof col.char<{ length: 24; name: string }>>
>;

export const Stock = defineEntity({
  name: 'Stock',
  table: 'tpcc.stock',
  primaryKey: ['sWId', 'sIId'],
  parent: { entity: Warehouse, fields: ['sWId'] },
  columns: {
    sIId: col.int(),
    sWId: col.int(),
    sQuantity: col.int2(),
    ...dists,
    sYtd: col.int(),
    sOrderCnt: col.int2(),
    sRemoteCnt: col.int2(),
    sData: col.varchar({ length: 50 }),
  },
});

export const OrderLine = defineEntity({
  name: 'OrderLine',
  table: 'tpcc.order_line',
  primaryKey: ['olWId', 'olDId', 'olOId', 'olNumber'],
  parent: { entity: Order, fields: ['olWId', 'olDId', 'olOId'] },
  columns: {
    olOId: col.int(),
    olDId: col.int2(),
    olWId: col.int(),
    olNumber: col.int2(),
    olIId: col.int(),
    olSupplyWId: col.int(),
    olDeliveryD: col.timestamp({ nullable: true }),
    olQuantity: col.int2(),
    olAmount: col.decimal({ precision: 6, scale: 2 }),
    olDistInfo: col.char({ length: 24 }),
  },
});

export const TPCC_ENTITIES = [Warehouse, District, Customer, History, Order, NewOrder, Item, Stock, OrderLine];
