import { DefinitionError } from '../errors/definition-error.js';
import type { EntityBase } from './entity.js';
import type { EntityMeta } from './entity-meta.js';

/** A child collection of an entity: the child entity and its parent-ref column. */
export interface ChildRelation {
  readonly child: EntityMeta;
  /** The child's columns holding the parent's key, in the parent's key order. */
  readonly columnIndexes: readonly number[];
  readonly onDelete: 'cascade' | 'restrict';
}

/**
 * The entities of one `Database`, checked together: unique names and tables, every referenced entity
 * registered. Also derives what the session needs per entity: its child collections, and a write
 * order in which every entity comes after the entities it references.
 */
export class EntityRegistry {
  readonly entities: readonly EntityMeta[];
  /** Referenced entities before referencing ones: the insert order (deletes go in reverse). */
  readonly writeOrder: readonly EntityMeta[];
  readonly #rank = new Map<EntityMeta, number>();
  readonly #children = new Map<EntityMeta, ChildRelation[]>();
  readonly #byName = new Map<string, EntityMeta>();

  constructor(entities: readonly EntityBase[]) {
    this.entities = entities.map((e) => e.meta);
    const problems = this.#check();
    if (problems.length > 0) throw new DefinitionError(problems);
    for (const meta of this.entities) {
      this.#byName.set(meta.name, meta);
      this.#children.set(meta, []);
    }
    for (const meta of this.entities) {
      const parent = meta.parent;
      if (parent) this.#children.get(parent.entity().meta)?.push({ child: meta, columnIndexes: parent.columnIndexes, onDelete: parent.onDelete });
    }
    this.writeOrder = topologicalOrder(this.entities);
    this.writeOrder.forEach((meta, i) => this.#rank.set(meta, i));
  }

  /** Whether the entity belongs to this registry. */
  has(meta: EntityMeta): boolean {
    return this.#rank.has(meta);
  }

  /** Position in {@link writeOrder}. */
  rank(meta: EntityMeta): number {
    return this.#rank.get(meta) ?? -1;
  }

  /** Child collections declared with `parent:` pointing at this entity. */
  childrenOf(meta: EntityMeta): readonly ChildRelation[] {
    return this.#children.get(meta) ?? [];
  }

  /** The entity of that name, if registered. */
  byName(name: string): EntityMeta | undefined {
    return this.#byName.get(name);
  }

  #check(): string[] {
    const problems: string[] = [];
    const names = new Set<string>();
    const tables = new Set<string>();
    const known = new Set(this.entities);
    for (const meta of this.entities) {
      if (names.has(meta.name)) problems.push(`entity name "${meta.name}" is used twice`);
      if (tables.has(meta.table)) problems.push(`table "${meta.table}" is used by two entities`);
      names.add(meta.name);
      tables.add(meta.table);
      for (const { column, target } of meta.references) {
        if (!known.has(target().meta)) problems.push(`${meta.name}.${column.field} references ${target().name}, which is not among the entities given to Database.open`);
      }
      if (meta.parent) {
        const { fields, columnIndexes } = meta.parent;
        const parentMeta = meta.parent.entity().meta;
        const ref = columnIndexes.length === 1 ? meta.references.find((r) => r.column.index === columnIndexes[0]) : undefined;
        if (!known.has(parentMeta)) problems.push(`${meta.name}.parent: ${parentMeta.name} is not among the entities given to Database.open`);
        else if (ref && ref.target().meta !== parentMeta) problems.push(`${meta.name}.parent: field "${fields[0]}" references ${ref.target().name}, not the parent ${parentMeta.name}`);
        else if (fields.length !== parentMeta.key.columns.length) {
          problems.push(`${meta.name}.parent: ${fields.length} field(s) [${fields.join(', ')}] for ${parentMeta.name}'s key of ${parentMeta.key.columns.length} [${parentMeta.key.columns.map((c) => c.field).join(', ')}]`);
        }
      }
      for (const { column, target } of meta.references) {
        if (known.has(target().meta) && target().meta.key.composite) problems.push(`${meta.name}.${column.field}: col.ref cannot point at ${target().name}, whose key has several columns; name the fields in parent: { fields }`);
      }
    }
    return problems;
  }
}

/** Kahn's algorithm on "references" edges; self references and cycles fall back to declaration order. */
function topologicalOrder(entities: readonly EntityMeta[]): EntityMeta[] {
  const dependsOn = (m: EntityMeta): EntityMeta[] => [...m.references.map((r) => r.target().meta), ...(m.parent ? [m.parent.entity().meta] : [])];
  const pending = new Map(entities.map((m) => [m, new Set(dependsOn(m).filter((t) => t !== m))]));
  const order: EntityMeta[] = [];
  while (pending.size > 0) {
    const ready = [...pending].find(([, deps]) => [...deps].every((d) => !pending.has(d)))?.[0] ?? pending.keys().next().value;
    if (!ready) break;
    order.push(ready);
    pending.delete(ready);
  }
  return order;
}
