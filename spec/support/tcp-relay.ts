import { createServer, type Server, type Socket, connect } from 'node:net';

/** What the relay does with bytes a client sends: pass them on, or cut the link before or after. */
type Trigger = { readonly pattern: RegExp; readonly when: 'before' | 'after' };

/**
 * A TCP relay on 127.0.0.1 in front of a PostgreSQL server, for real network faults: `cutAll()`
 * drops every link at once; `cutOnClientMessage(/COMMIT/, 'after')` lets the next client message
 * matching the pattern reach the server and drops that link when the server answers, so the reply
 * never reaches the client (the outcome of a COMMIT is then unknown to it); `'before'` drops the
 * link before the message reaches the server.
 */
export class TcpRelay {
  readonly #server: Server;
  readonly #links = new Set<{ client: Socket; upstream: Socket }>();
  #trigger: Trigger | undefined;
  #cuts = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts a relay to `target` (a postgres:// URL); use `relay.url(target)` to connect through it. */
  static async start(target: string): Promise<TcpRelay> {
    const { hostname, port } = new URL(target);
    const relay: TcpRelay = new TcpRelay(createServer((client) => relay.#accept(client, hostname, Number(port || 5432))));
    await new Promise<void>((resolve) => relay.#server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  /** `target` with its host and port replaced by the relay's. */
  url(target: string): string {
    const u = new URL(target);
    u.hostname = '127.0.0.1';
    u.port = String((this.#server.address() as { port: number }).port);
    return u.toString();
  }

  /** Links cut so far. */
  get cuts(): number {
    return this.#cuts;
  }

  /** Arms a one-shot cut on the next client message matching `pattern`. */
  cutOnClientMessage(pattern: RegExp, when: 'before' | 'after'): void {
    this.#trigger = { pattern, when };
  }

  /** Drops every open link. */
  cutAll(): void {
    for (const link of [...this.#links]) this.#cut(link);
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const link = { client, upstream };
    this.#links.add(link);
    client.on('data', (chunk: Buffer) => {
      const trigger = this.#trigger;
      if (trigger && trigger.pattern.test(chunk.toString('latin1'))) {
        this.#trigger = undefined;
        client.pause(); // nothing more reaches the server from this link
        upstream.removeAllListeners('data');
        if (trigger.when === 'before') this.#cut(link);
        else {
          // The server's reply proves it processed the message; the client never sees that reply.
          upstream.once('data', () => this.#cut(link));
          upstream.write(chunk);
        }
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = (): void => this.#cut(link);
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  #cut(link: { client: Socket; upstream: Socket }): void {
    if (!this.#links.delete(link)) return;
    this.#cuts++;
    link.client.destroy();
    link.upstream.destroy();
  }
}
