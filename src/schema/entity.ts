import type { AnyColumnSpec, InputOf, IsGenerated, IsGeneratedKey, IsOptional, ValueOf } from './column-spec.js';
import { checkEntityDefinition } from './definition-checks.js';
import type { EntityDefinition, IndexDefinitions, PrimaryKeyDefinition } from './entity-definition.js';
import { type EntityBase, EntityMeta, type MetaSource } from './entity-meta.js';

export type { EntityBase } from './entity-meta.js';
export type { EntityDefinition, EntityCacheOptions, IndexDefinition, IndexDefinitions, PrimaryKeyDefinition } from './entity-definition.js';

/** An entity made by {@link defineEntity}; `C` carries the column types for the compiler, `I` its indexes. */
export interface Entity<
  C extends Record<string, AnyColumnSpec> = Record<string, AnyColumnSpec>,
  P extends string = string,
  I extends IndexDefinitions = IndexDefinitions,
  K extends PrimaryKeyDefinition = PrimaryKeyDefinition,
  Id = unknown,
> extends EntityBase {
  readonly columns: C;
  /**
   * Phantom field: the type of a row's id (`KeyOf`), computed once by `defineEntity` so that `Rop<E>`
   * stays covariant in `E`. Never set at run time.
   */
  readonly __id: Id;
  /** Phantom field: the declared `primaryKey` (never when the key is a `col.id()`), for `KeyOf`. Never set at run time. */
  readonly __primaryKey?: K;
  /** Phantom field: the parent-ref field name, for `insertByParent` typing. Never set at run time. */
  readonly __parentField?: P;
  /** Phantom field: the declared indexes, for `api.index(name)` typing. Never set at run time. */
  readonly __indexes?: I;
}

/** The field of a generated key (`col.id()`, `col.identity()`) among columns `C`. */
export type GeneratedKeyField<C> = { [F in keyof C]: IsGeneratedKey<C[F]> extends true ? F : never }[keyof C];
/** The key fields of columns `C` with `primaryKey` `K`, as a readonly tuple (the generated key's field when `K` is never). */
export type KeyFields<C, K> = [K] extends [never] ? readonly [GeneratedKeyField<C>] : K extends readonly (keyof C)[] ? K : K extends keyof C ? readonly [K] : never;

/** The id type of columns `C` with primary key `K`: the key field's value, or a tuple in key order. */
export type KeyValueOf<C extends Record<string, AnyColumnSpec>, K> = KeyFields<C, K> extends readonly [infer F extends keyof C] ? ValueOf<C[F]> : KeyTuple<C, KeyFields<C, K>, 'value'>;

/** The values (or inputs) of key fields `T`, as a readonly tuple (a mapped type over a type parameter keeps the tuple). */
export type KeyTuple<C extends Record<string, AnyColumnSpec>, T, Kind extends 'value' | 'input'> = {
  readonly [I in keyof T]: T[I] extends keyof C ? (Kind extends 'value' ? ValueOf<C[T[I]]> : InputOf<C[T[I]]>) : never;
};

/**
 * The id of a row of `E` (what `rop.id` gives and `load` takes): the key field's value for a
 * one-field key (`bigint` for `col.id()`), a tuple in key order for a composite key.
 */
export type KeyOf<E extends AnyEntity> = E['__id'];

/** What `load`, `find` and `loadMany` accept as an id: a key value (as `insert` takes it), or for a composite key a tuple or an object by field. */
export type KeyInput<E extends AnyEntity> = E extends Entity<infer C, string, IndexDefinitions, infer K, unknown>
  ? string extends keyof C
    ? unknown // any entity: its key could be anything
    : KeyFields<C, K> extends readonly [infer F extends keyof C]
      ? InputOf<C[F]>
      :
          | KeyTuple<C, KeyFields<C, K>, 'input'>
          | { readonly [F in KeyFields<C, K>[number] & keyof C]: InputOf<C[F]> }
  : never;

/** The declared indexes of an entity. */
export type IndexesOf<E extends AnyEntity> = E extends Entity<Record<string, AnyColumnSpec>, string, infer I, PrimaryKeyDefinition> ? I : never;

/** Whether index `N` of `E` is declared unique. */
export type IsUniqueIndex<E extends AnyEntity, N extends keyof IndexesOf<E>> = IndexesOf<E>[N] extends { readonly unique: true } ? true : false;

/** Any entity. */
export type AnyEntity = Entity<Record<string, AnyColumnSpec>, string, IndexDefinitions, PrimaryKeyDefinition, unknown>;

/** The column specs of an entity. */
export type ColumnsOf<E extends AnyEntity> = E['columns'];

/** Field names of an entity. */
export type FieldOf<E extends AnyEntity> = keyof E['columns'] & string;

/** A full row of an entity as TypeScript values. */
export type Row<E extends AnyEntity> = { -readonly [K in FieldOf<E>]: ValueOf<E['columns'][K]> };

/** The value type of one field. */
export type FieldValue<E extends AnyEntity, K extends FieldOf<E>> = ValueOf<E['columns'][K]>;

/** Fields cellar generates (id, version): never given to `insert`. */
export type GeneratedFields<E extends AnyEntity> = { [K in FieldOf<E>]: IsGenerated<E['columns'][K]> extends true ? K : never }[FieldOf<E>];
/** Fields `insert` may omit (nullable or defaulted). */
export type OptionalFields<E extends AnyEntity> = { [K in FieldOf<E>]: IsOptional<E['columns'][K]> extends true ? K : never }[FieldOf<E>];

/** What `insert` and `set` accept for one field (wider than {@link FieldValue} for bigint and decimal). */
export type FieldInput<E extends AnyEntity, K extends FieldOf<E>> = InputOf<E['columns'][K]>;

/** Values accepted by `insert`: required fields must be given; id and version never are. */
export type InsertValues<E extends AnyEntity> = {
  [K in Exclude<FieldOf<E>, OptionalFields<E> | GeneratedFields<E>>]: FieldInput<E, K>;
} & { [K in Exclude<OptionalFields<E>, GeneratedFields<E>>]?: FieldInput<E, K> };

/** The parent-ref field of a child entity (never for an entity without `parent`). */
export type ParentFieldOf<E extends AnyEntity> = E extends Entity<Record<string, AnyColumnSpec>, infer P, IndexDefinitions, PrimaryKeyDefinition> ? P : never;

/** Values accepted by `insertByParent`: as for `insert`, without the parent-ref field. */
export type InsertByParentValues<E extends AnyEntity> = Omit<InsertValues<E>, ParentFieldOf<E>>;

/** Fields that `set` may change (everything but id and version). */
export type WritableField<E extends AnyEntity> = Exclude<FieldOf<E>, GeneratedFields<E>>;

/**
 * Declares an entity: its table, typed columns, parent relation and transactional indexes. The
 * definition is checked at once; every problem found is reported together in a `DefinitionError`.
 *
 * @example
 * ```ts
 * const DocLine = defineEntity({
 *   name: 'DocLine',
 *   parent: { entity: Doc, field: 'idDoc', onDelete: 'cascade' },
 *   columns: { id: col.id(), idDoc: col.ref(Doc), qty: col.decimal({ precision: 18, scale: 3 }) },
 *   indexes: { byItem: ['idItem'] },
 * });
 * ```
 */
export function defineEntity<
  const C extends Record<string, AnyColumnSpec>,
  const P extends keyof C & string = never,
  const I extends IndexDefinitions<keyof C & string> = Record<never, never>,
  const K extends PrimaryKeyDefinition<keyof C & string> = never,
>(definition: EntityDefinition<C, P, I, K>): Entity<C, P, I, K, KeyValueOf<C, K>> {
  checkEntityDefinition(definition as unknown as EntityDefinition<Record<string, AnyColumnSpec>>);
  const meta = new EntityMeta(definition as unknown as MetaSource);
  return Object.freeze({ name: definition.name, columns: definition.columns, meta }) as Entity<C, P, I, K, KeyValueOf<C, K>>;
}
