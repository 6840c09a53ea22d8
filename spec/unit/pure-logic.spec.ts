import { expect } from 'chai';
import { col, defineEntity, SqlParamError } from '../../src/index.js';
import { normalizeDecimal } from '../../src/schema/decimal-text.js';
import { EntityRegistry } from '../../src/schema/entity-registry.js';
import { ChangeTracker } from '../../src/session/change-tracker.js';
import { withDirtyColumn } from '../../src/session/dirty-columns.js';
import { planFlush } from '../../src/session/flush-planner.js';
import { type RowOwner, RowScope, RowState, RowStatus } from '../../src/session/row-state.js';
import { compileNamedSql } from '../../src/sql/named-params.js';
import { parseTierConfig } from '../../src/cache/tier-config.js';
import { compareLsn } from '../../src/db/replica-router.js';
import { Account, Doc, DocLine, Lot } from '../support/model.js';

/** Pure logic, tested alone (no database), as MikroORM tests its commit-order calculator. */
describe('pure logic (no database)', () => {
  describe('flush planning', () => {
    const owner: RowOwner = { scope: undefined as unknown as RowScope, setValue: () => undefined, incrementValue: () => undefined, assertUsable: () => undefined };
    const scope = new RowScope(owner);
    const registry = new EntityRegistry([Lot, DocLine, Doc, Account]);
    const row = (meta: typeof Doc.meta, id: bigint, status: RowStatus, dirty?: number[]): RowState => {
      const r = new RowState(scope, meta, [id, ...new Array(meta.columns.length - 1).fill(null)], status);
      for (const c of dirty ?? []) r.dirty = withDirtyColumn(r.dirty, c, meta.columns.length);
      return r;
    };

    it('inserts parents first, deletes children first, updates grouped by changed columns, rows by id', () => {
      const tracker = new ChangeTracker();
      for (const r of [
        row(Lot.meta, 9n, RowStatus.New),
        row(DocLine.meta, 5n, RowStatus.New),
        row(Doc.meta, 2n, RowStatus.New),
        row(Doc.meta, 1n, RowStatus.New),
        row(DocLine.meta, 7n, RowStatus.Loaded, [4]),
        row(DocLine.meta, 6n, RowStatus.Loaded, [4]),
        row(DocLine.meta, 8n, RowStatus.Loaded, [2, 4]),
        row(Doc.meta, 3n, RowStatus.Deleted),
        row(Lot.meta, 4n, RowStatus.Deleted),
        row(Account.meta, 10n, RowStatus.Gone),
      ]) tracker.track(r);
      const plan = planFlush(tracker, registry).map((op) => `${op.kind} ${op.meta.name} [${op.rows.map((r) => r.id).join(',')}]${op.columns.length ? ` cols ${op.columns.join(',')}` : ''}`);
      expect(plan).to.deep.equal([
        'insert Doc [1,2]',
        'insert DocLine [5]',
        'insert Lot [9]',
        'update DocLine [6,7] cols 4',
        'update DocLine [8] cols 2,4',
        'delete Lot [4]',
        'delete Doc [3]',
      ]);
    });

    it('nothing pending plans nothing', () => {
      expect(planFlush(new ChangeTracker(), registry)).to.deep.equal([]);
    });
  });

  describe('decimal text', () => {
    const cases: [string, number | undefined, number | undefined, string][] = [
      ['2.5', 18, 3, '2.500'],
      ['-0.0', 18, 2, '0.00'],
      ['1.5e3', 18, 2, '1500.00'],
      ['00012', 5, 0, '12'],
      ['.5', 4, 2, '0.50'],
      ['123.4500', undefined, undefined, '123.4500'],
    ];
    for (const [input, precision, scale, expected] of cases) {
      it(`${input} as numeric(${precision ?? ''},${scale ?? ''}) → ${expected}`, () => expect(normalizeDecimal(input, precision, scale)).to.deep.equal({ value: expected }));
    }
    it('refuses digits it would have to round, too many digits, and non-numbers', () => {
      for (const [input, p, s] of [['1.234', 18, 2], ['123', 2, 0], ['1,5', 18, 2], ['abc', 18, 2]] as const) expect(normalizeDecimal(input, p, s)).to.have.property('problem');
    });
  });

  describe('named parameters', () => {
    it('rewrites {name} in code only, one position per name, casts kept', () => {
      const compiled = compileNamedSql("select {a}::int8[], {b}, {a}, '{x}', \"{y}\", $t${z}$t$ -- {c}\n /* {d} */ from t");
      expect(compiled.names).to.deep.equal(['a', 'b']);
      expect(compiled.text).to.equal("select $1::int8[], $2, $1, '{x}', \"{y}\", $t${z}$t$ -- {c}\n /* {d} */ from t");
    });
    it('a brace that is not a parameter is SQL_PARAM', () => {
      for (const sql of ['select {1x}', 'select {a-b}', 'select { a }']) expect(() => compileNamedSql(sql)).to.throw(SqlParamError);
    });
  });

  describe('CELLAR_CACHE', () => {
    it('parses tiers in order, with options and log', () => {
      expect(parseTierConfig('memory:500, redis://127.0.0.1:6379/0 ,file:/var/cache/app?maxBytes=1000,log')).to.deep.equal({
        tiers: [{ kind: 'memory', maxEntries: 500 }, { kind: 'redis', url: 'redis://127.0.0.1:6379/0' }, { kind: 'file', dir: '/var/cache/app', maxBytes: 1000 }],
        log: true,
      });
    });
    it('refuses what it does not know, naming it', () => {
      expect(() => parseTierConfig('memory:lots')).to.throw(/memory:lots/);
      expect(() => parseTierConfig('s3://bucket')).to.throw(/s3:\/\/bucket/);
    });
  });

  describe('keys', () => {
    const shapes = [
      { entity: defineEntity({ name: 'KInt8', columns: { id: col.id(), v: col.int() } }), values: [[1n, 0], [9007199254740993n, 0]] },
      { entity: defineEntity({ name: 'KNum', columns: { id: col.id({ mode: 'number' }), v: col.int() } }), values: [[7, 0]] },
      { entity: defineEntity({ name: 'KText', primaryKey: 'code', columns: { code: col.text(), v: col.int() } }), values: [['12', 0], ['EUR', 0]] },
      { entity: defineEntity({ name: 'KInt', primaryKey: 'n', columns: { n: col.int(), v: col.int() } }), values: [[-3, 0]] },
      { entity: defineEntity({ name: 'KBool', primaryKey: 'b', columns: { b: col.bool(), v: col.int() } }), values: [[false, 0]] },
      { entity: defineEntity({ name: 'KPair', primaryKey: ['a', 'b'], columns: { a: col.int(), b: col.text() } }), values: [[1, 'x'], [1, 'x\u0001y']] },
    ];
    it('a row key survives the text of an invalidation message, for every key kind', () => {
      for (const { entity, values } of shapes) {
        const { key } = entity.meta;
        for (const row of values) expect(key.mapKeyOfText(key.cacheKeyOfRow(row)), `${entity.name} ${String(row)}`).to.equal(key.mapKeyOfRow(row));
      }
    });
    it('composite keys of different values never meet, and an id and its row agree', () => {
      const { key } = (shapes[5] as (typeof shapes)[number]).entity.meta;
      expect(key.mapKeyOfRow([1, '23'])).to.not.equal(key.mapKeyOfRow([12, '3'])); // NUL separates parts, and no text holds one
      expect(key.mapKeyOf(key.normalize({ a: 1, b: 'x' }))).to.equal(key.mapKeyOfRow([1, 'x']));
    });
  });

  describe('WAL positions (replica routing)', () => {
    it('orders pg_lsn texts by value, not as strings: the high word first, hex digits of any length', () => {
      expect(compareLsn('0/16B3748', '0/16B3748')).to.equal(0);
      expect(compareLsn('0/9', '0/10')).to.equal(-1); // as strings '9' > '10'
      expect(compareLsn('1/0', '0/FFFFFFFF')).to.equal(1);
      expect(compareLsn('A/1', '9/FFFFFFFF')).to.equal(1);
      expect(compareLsn('16/B374D848', '16/B374D849')).to.equal(-1);
    });
  });
});
