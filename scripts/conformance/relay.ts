/**
 * The link between holdfast and kube-apiserver, under the suite's control: a TCP relay on a free
 * loopback port that copies bytes both ways (TLS passes through untouched), and can be switched to
 * refuse new connections (accept and close at once, before a byte), blackhole them (accept, never
 * answer, and stop forwarding on the connections already open), or have its open connections cut
 * mid-stream (open watches end without their final chunk).
 * @module
 */

/** What the relay does with connections. */
export type LinkMode = "forward" | "refuse" | "blackhole";

/** A running relay. */
export interface LinkRelay {
  /** The relay's port on 127.0.0.1. */
  readonly port: number;
  readonly mode: LinkMode;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now (forwarded or held). */
  readonly open: number;
  /** Switches mode; stalled forwarding resumes on `forward`. */
  setMode(mode: LinkMode): void;
  /** Closes every open connection, both sides, and returns how many there were. */
  cut(): number;
  /** Stops listening and closes everything. */
  close(): Promise<void>;
}

/** Starts a relay to `target` in `forward` mode. */
export function startLinkRelay(target: { hostname: string; port: number }): LinkRelay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const held = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let mode: LinkMode = "forward";
  let accepted = 0;
  let resumed = Promise.withResolvers<void>();

  const close = (conn: Deno.Conn) => {
    if (!conns.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  const track = (task: Promise<void>) => {
    tasks.add(task);
    task.finally(() => tasks.delete(task));
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        while (mode === "blackhole") await resumed.promise;
        let written = 0;
        while (written < n) written += await to.write(buffer.subarray(written, n));
      }
    } catch {
      // either side went away, or the link was cut
    }
    close(to);
    close(from);
  };
  const serve = async (client: Deno.Conn) => {
    conns.add(client);
    if (mode === "refuse") return close(client);
    if (mode === "blackhole") return void held.add(client); // never read or answered
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect(target);
    } catch {
      return close(client);
    }
    conns.add(upstream);
    await Promise.all([pump(client, upstream), pump(upstream, client)]);
  };

  const accepting = (async () => {
    for await (const client of listener) {
      accepted++;
      track(serve(client));
    }
  })().catch(() => undefined);

  const cut = () => {
    const count = conns.size;
    for (const conn of [...conns]) close(conn);
    return count;
  };
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    get open() {
      return conns.size;
    },
    setMode(next) {
      mode = next;
      if (next !== "blackhole") {
        for (const conn of held) close(conn);
        held.clear();
        resumed.resolve();
        resumed = Promise.withResolvers<void>();
      }
    },
    cut,
    async close() {
      listener.close();
      await accepting;
      mode = "refuse";
      resumed.resolve();
      cut();
      await Promise.all([...tasks]);
    },
  };
}
