/** Most names remembered; past it the oldest go and tickets older than them count as invalidated. */
const REMEMBERED = 10_000;

/**
 * The one clock of local invalidations: every invalidation of a key or tag gets a tick, and a ticket
 * taken before a load tells whether any of the load's names was invalidated since. Bounded: when the
 * oldest records are forgotten, tickets older than them are treated as invalidated (a value is then
 * not stored — never served stale).
 */
export class InvalidationClock {
  #tick = 0;
  #floor = 0;
  readonly #at = new Map<string, number>();

  /** A ticket: the tick now. */
  now(): number {
    return this.#tick;
  }

  /** Records an invalidation of these names (tags, or `key:<key>`); returns its tick. */
  invalidate(names: Iterable<string>): number {
    const tick = ++this.#tick;
    for (const name of names) {
      this.#at.delete(name); // re-insert at the end: the map stays in tick order
      this.#at.set(name, tick);
    }
    while (this.#at.size > REMEMBERED) {
      const [oldest, at] = this.#at.entries().next().value as [string, number];
      this.#at.delete(oldest);
      this.#floor = at;
    }
    return tick;
  }

  /** Whether any of the names was invalidated after `ticket` was taken. */
  invalidatedSince(ticket: number, names: readonly string[]): boolean {
    if (ticket < this.#floor) return true;
    for (const name of names) if ((this.#at.get(name) ?? -1) > ticket) return true;
    return false;
  }
}
