/**
 * Names for the statements cellar generates, so node-postgres sends them as named (prepared)
 * statements: parsed and planned once per connection, then only bound and executed — no SQL text on
 * the wire, no parse on the server. One name per distinct text, process-wide; past `limit` texts new
 * ones go unnamed, so a program that builds SQL from data cannot grow the server's statement cache
 * (and node-postgres's per-connection record of it) without bound.
 */
export class StatementNames {
  readonly #names = new Map<string, string>();

  constructor(private readonly limit = 2000) {}

  /** The name of `text`, or undefined once the limit is reached for texts not seen before. */
  of(text: string): string | undefined {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < this.limit) {
      name = `cellar_${this.#names.size + 1}`;
      this.#names.set(text, name);
    }
    return name;
  }
}

/** The registry every connection of the process shares: a name means the same text on every connection. */
export const statementNames = new StatementNames();
