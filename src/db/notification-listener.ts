import pg from 'pg';

/** Options of {@link NotificationListener}. */
export interface NotificationListenerOptions {
  readonly url: string;
  readonly channel: string;
  /** Receives each notification's payload. */
  readonly onMessage: (payload: string) => void;
  /** Called when the connection was lost and is back: notifications in between were missed. */
  readonly onReconnect: () => void;
  /** Receives connection problems (they are retried, never thrown). */
  readonly onError?: (error: unknown) => void;
}

/**
 * A dedicated PostgreSQL connection that LISTENs on one channel, outside the pool (a pooled
 * connection would be handed to sessions). It reconnects with backoff when the server goes away and
 * says so, since notifications sent meanwhile are lost.
 */
export class NotificationListener {
  #client: pg.Client | undefined;
  #closed = false;
  #retryMs = 100;

  private constructor(private readonly options: NotificationListenerOptions) {}

  /** Connects and starts listening. */
  static async start(options: NotificationListenerOptions): Promise<NotificationListener> {
    const listener = new NotificationListener(options);
    await listener.#connect();
    return listener;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: 'cellar-cache-listener' });
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload !== undefined) this.options.onMessage(message.payload);
    });
    client.on('error', (error) => {
      this.options.onError?.(error);
      this.#reconnectLater();
    });
    client.on('end', () => this.#reconnectLater());
    await client.connect();
    await client.query(`LISTEN ${this.options.channel}`);
    this.#client = client;
    this.#retryMs = 100;
  }

  #reconnectLater(): void {
    if (this.#closed || this.#client === undefined) return;
    this.#client = undefined;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 5000);
    setTimeout(() => {
      if (this.#closed) return;
      this.#connect().then(
        () => this.options.onReconnect(),
        (error: unknown) => {
          this.options.onError?.(error);
          this.#client = new pg.Client(); // a placeholder so that the next attempt is scheduled
          this.#reconnectLater();
        },
      );
    }, delay).unref();
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
