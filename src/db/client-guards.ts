import { connect, type Socket } from 'node:net';
import type pg from 'pg';

/** The parts of node-postgres' client these guards reach (stable across pg 8). */
interface ClientInternals {
  readonly connection?: { readonly stream?: Socket };
  readonly processID?: number | null;
  readonly secretKey?: number | null;
  readonly host?: string;
  readonly port?: number;
}

const guarded = new WeakSet<object>();

/**
 * Makes a failure inside the client's protocol parser an error of that client instead of an
 * uncaught exception. node-postgres decodes each field of a row into a string inside the socket's
 * `'data'` listener; a field longer than V8's longest string (~512 MB) throws `ERR_STRING_TOO_LONG`
 * there, outside any promise, which kills the process. Wrapped, the throw destroys the socket with
 * that error: the statement rejects with it, the client is marked broken and discarded, and the
 * process lives on.
 */
export function guardParser(client: pg.PoolClient): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  const stream = (client as unknown as ClientInternals).connection?.stream;
  if (!stream) return;
  for (const listener of stream.listeners('data') as ((chunk: Buffer) => void)[]) {
    stream.off('data', listener);
    stream.on('data', (chunk: Buffer) => {
      try {
        listener(chunk);
      } catch (e) {
        // "Connection terminated": the error converter makes it CONNECTION_LOST, which it is now.
        const reason = e instanceof Error ? e.message : String(e);
        stream.destroy(new Error(`Connection terminated: a reply could not be read (${reason}); a value longer than about 512 MB cannot become a JavaScript string: read it in parts (substring) instead`, { cause: e }));
      }
    });
  }
}

/**
 * Gives up on a client whose statement outlived its time: asks the server to cancel the running
 * statement (PostgreSQL's CancelRequest, on a connection of its own, best effort) and destroys the
 * client's socket, so that a late reply can never be read as the answer to another statement.
 */
export function abandonClient(client: pg.PoolClient): void {
  const internals = client as unknown as ClientInternals;
  const { processID, secretKey, host, port } = internals;
  if (processID && secretKey && host && !host.startsWith('/')) {
    const request = Buffer.alloc(16);
    request.writeInt32BE(16, 0);
    request.writeInt32BE(80877102, 4); // the cancel request code
    request.writeInt32BE(processID, 8);
    request.writeInt32BE(secretKey, 12);
    const socket = connect(port ?? 5432, host, () => socket.end(request));
    socket.on('error', () => undefined); // best effort: the socket is destroyed below either way
    socket.setTimeout(5000, () => socket.destroy());
  }
  internals.connection?.stream?.destroy();
}
