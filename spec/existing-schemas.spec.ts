import { expect } from 'chai';
import { col, Database, defineEntity, tableTag } from '../src/index.js';
import { databaseUrl, openFreshDatabase, plainClient, queryDb, StatementLog } from './support/test-database.js';

/** Mapping tables as they are: their names, their schema, their unique keys — and leaving them alone. */
const Warehouse = defineEntity({
  name: 'Warehouse',
  table: 'legacy.wh_master',
  columns: {
    id: col.id({ name: 'w_id' }),
    code: col.varchar({ length: 10, name: 'W_CODE' }),
    hCDId: col.int({ name: 'h_c_d_id', nullable: true }),
  },
  indexes: { byCode: { columns: ['code'], unique: true }, byH: ['hCDId'] },
});

describe('existing schemas: explicit names, schemas, unique indexes', () => {
  it('column and table names are used as given, schema-qualified, in DDL and every statement', async () => {
    const log = new StatementLog();
    const db = await openFreshDatabase([Warehouse], { onStatement: log.listener });
    try {
      const id = await db.transaction(async (s) => (await s.api(Warehouse).insert({ code: 'WH-1', hCDId: 3 })).id);
      expect(log.sql.find((q) => q.startsWith('INSERT'))).to.equal('INSERT INTO "legacy"."wh_master" ("w_id", "W_CODE", "h_c_d_id") SELECT * FROM unnest($1::int8[], $2::varchar[], $3::int4[])');
      const rows = await queryDb<{ w_id: string; W_CODE: string; h_c_d_id: number }>('select * from legacy.wh_master');
      expect(rows).to.deep.equal([{ w_id: String(id), W_CODE: 'WH-1', h_c_d_id: 3 }]);
      const read = await db.transaction(async (s) => (await s.api(Warehouse).load(id)).toObject());
      expect(read).to.deep.equal({ id, code: 'WH-1', hCDId: 3 });
      expect(Warehouse.meta.table).to.equal('legacy.wh_master');
      expect(tableTag(Warehouse.meta.table)).to.equal('table:legacy.wh_master');
    } finally {
      await db.schema.drop();
      await db.close();
    }
  });

  it('a unique index is UNIQUE in the database and byKey gives one rop or undefined', async () => {
    const db = await openFreshDatabase([Warehouse]);
    try {
      const indexes = await queryDb<{ indexdef: string }>("select indexdef from pg_indexes where schemaname = 'legacy' and tablename = 'wh_master' order by indexname");
      expect(indexes.map((i) => i.indexdef)).to.include('CREATE UNIQUE INDEX wh_master_by_code_idx ON legacy.wh_master USING btree ("W_CODE")');
      await db.transaction(async (s) => {
        await s.api(Warehouse).insert({ code: 'A' });
        await s.api(Warehouse).insert({ code: 'B' });
      });
      await db.transaction(async (s) => {
        const byCode = s.api(Warehouse).index('byCode');
        const before = s.stats.statements;
        await byCode.queryKeys(['A', 'B', 'C']);
        const a = await byCode.byKey('A');
        expect(a?.get('code')).to.equal('A');
        expect(await byCode.byKey('C')).to.equal(undefined);
        expect(s.stats.statements - before).to.equal(1);
        const many = await s.api(Warehouse).index('byH').byKey(7);
        expect(many).to.deep.equal([]); // a plain index still answers with an array
      });
    } finally {
      await db.schema.drop();
      await db.close();
    }
  });

  it('schema.create() on a table that exists adds nothing to it; asked, it adds the declared indexes', async () => {
    const client = await plainClient();
    try {
      await client.query('drop schema if exists legacy cascade; create schema legacy; create table legacy.wh_master (w_id int8 primary key, "W_CODE" varchar(10) not null, h_c_d_id int4)');
      const db = await Database.open({ url: databaseUrl(), entities: [Warehouse] }); // not fresh: the table is the user's
      try {
        await db.schema.create();
        const count = async () => Number((await client.query("select count(*) as n from pg_indexes where schemaname = 'legacy'")).rows[0].n);
        expect(await count()).to.equal(1); // the primary key, nothing added
        const seq = await client.query("select count(*)::int as n from pg_class where relkind = 'S' and relnamespace = 'legacy'::regnamespace");
        expect(seq.rows[0].n).to.equal(0);
        await db.schema.create({ indexExistingTables: true });
        expect(await count()).to.equal(3);
      } finally {
        await db.close();
      }
    } finally {
      await client.query('drop schema if exists legacy cascade');
      await client.end();
    }
  });
});
