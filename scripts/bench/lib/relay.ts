/**
 * A counting TCP relay: listens on a free loopback port, connects each accepted connection to
 * the target and copies bytes both ways, counting them. Put in front of the simulator it measures
 * every byte (headers included) that crosses the "upstream link".
 * @module
 */

/** A running relay. */
export interface Relay {
  /** `http://127.0.0.1:<port>`: use it as the upstream URL. */
  url: string;
  /** Bytes sent towards the target (requests). */
  readonly bytesUp: number;
  /** Bytes received from the target (responses). */
  readonly bytesDown: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops listening and closes every relayed connection. */
  close(): Promise<void>;
}

/** Starts a relay to `target` (`host:port`). */
export function startRelay(target: { hostname: string; port: number }): Relay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const pumps = new Set<Promise<void>>();
  const counts = { up: 0, down: 0, connections: 0 };

  const pump = async (from: Deno.Conn, to: Deno.Conn, count: (n: number) => void) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        count(n);
        let written = 0;
        while (written < n) written += await to.write(buffer.subarray(written, n));
      }
    } catch {
      // either side went away
    }
    close(to);
    close(from);
  };
  const close = (conn: Deno.Conn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  const track = (promise: Promise<void>) => {
    pumps.add(promise);
    promise.finally(() => pumps.delete(promise));
  };

  const accepting = (async () => {
    for await (const client of listener) {
      counts.connections++;
      open.add(client);
      track((async () => {
        let upstream: Deno.Conn;
        try {
          upstream = await Deno.connect({ hostname: target.hostname, port: target.port });
        } catch {
          close(client);
          return;
        }
        open.add(upstream);
        await Promise.all([
          pump(client, upstream, (n) => counts.up += n),
          pump(upstream, client, (n) => counts.down += n),
        ]);
      })());
    }
  })().catch(() => undefined);

  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    get bytesUp() {
      return counts.up;
    },
    get bytesDown() {
      return counts.down;
    },
    get connections() {
      return counts.connections;
    },
    async close() {
      listener.close();
      await accepting;
      for (const conn of [...open]) close(conn);
      await Promise.all([...pumps]);
    },
  };
}
