import { type EmbeddedServer, startEmbeddedPostgres } from './embedded/embedded-postgres-launcher.js';

/** A database URL and how to let go of it. */
export interface ResolvedDatabase {
  readonly url: string;
  /** True when an embedded server was started for it. */
  readonly embedded: boolean;
  /** Stops the embedded server, if one was started; otherwise does nothing. */
  stop(): Promise<void>;
}

/**
 * The rule the demo, the tests and the bench follow: `DATABASE_URL` when set, otherwise a fresh
 * embedded PostgreSQL server. The library itself never starts a server implicitly.
 */
export async function resolveDatabaseUrl(env: Readonly<Record<string, string | undefined>> = process.env): Promise<ResolvedDatabase> {
  const url = env['DATABASE_URL'];
  if (url) return { url, embedded: false, stop: async () => undefined };
  const server: EmbeddedServer = await startEmbeddedPostgres();
  return { url: server.url, embedded: true, stop: () => server.stop() };
}
