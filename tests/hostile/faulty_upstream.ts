/**
 * A tiny apiserver stand-in over raw TCP, for the faults the simulator cannot make: each answer is
 * the exact bytes given (a status line, headers and a body, which may be cut short, lie about its
 * length, or never end). Unknown paths get 404; `/readyz` is always healthy.
 * @module
 */

/** What a path is answered with. */
export interface Answer {
  /** Default 200. */
  status?: number;
  contentType?: string;
  body: Uint8Array;
  /** Announce this Content-Length instead of the body's length. */
  contentLength?: number;
  /** After the body, keep the connection open (until the client closes it) rather than close. */
  hold?: boolean;
  /**
   * After the body, send this chunk again and again (no Content-Length: the body ends when the
   * connection closes), `endlessBytes` at most, counting what was written in `pushed`.
   */
  endless?: Uint8Array;
  endlessBytes?: number;
}

/** The stand-in, with the answer for each path (path and query as sent) changeable at any time. */
export interface FaultyUpstream extends AsyncDisposable {
  url: string;
  answers: Map<string, Answer>;
  /** Connections held open after their body, until the client goes away. */
  held(): number;
  /**
   * Bytes of `endless` chunks written so far, since when a write has been waiting, and how many
   * endless answers are being sent.
   */
  pushed: { bytes: number; blockedSince?: number; streams: number };
  /** Stops listening and drops every connection: the agent finds the cloud gone. */
  down(): Promise<void>;
}

const encoder = new TextEncoder();

/** Starts the stand-in on a free loopback port. */
export function startFaultyUpstream(): FaultyUpstream {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const answers = new Map<string, Answer>();
  const connections = new Set<Deno.Conn>();
  let held = 0;
  const pushed: FaultyUpstream["pushed"] = { bytes: 0, streams: 0 };
  const serveOne = async (conn: Deno.Conn) => {
    connections.add(conn);
    try {
      const path = await readTarget(conn);
      if (path === undefined) return;
      const answer = path === "/readyz"
        ? { body: encoder.encode("ok"), contentType: "text/plain" }
        : answers.get(path) ?? { status: 404, body: encoder.encode("{}") };
      const head = `HTTP/1.1 ${answer.status ?? 200} X\r\n` +
        `Content-Type: ${answer.contentType ?? "application/json"}\r\n` +
        (answer.endless
          ? ""
          : `Content-Length: ${answer.contentLength ?? answer.body.byteLength}\r\n`) +
        `Connection: close\r\n\r\n`;
      await writeAll(conn, encoder.encode(head));
      await writeAll(conn, answer.body);
      if (answer.endless) await pushEndless(conn, answer.endless, answer.endlessBytes);
      if (answer.hold) {
        held++;
        try {
          // Until the client closes: the agent must let go of a body that never ends.
          while ((await conn.read(new Uint8Array(1024))) !== null);
        } finally {
          held--;
        }
      }
    } catch {
      // the client went away
    } finally {
      connections.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  const pushEndless = async (conn: Deno.Conn, chunk: Uint8Array, most = Infinity) => {
    pushed.streams++;
    try {
      while (pushed.bytes < most) {
        pushed.blockedSince = Date.now();
        await writeAll(conn, chunk);
        pushed.bytes += chunk.byteLength;
      }
    } finally {
      pushed.blockedSince = undefined;
      pushed.streams--;
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) serveOne(conn);
  })().catch(() => {});
  const down = async () => {
    try {
      listener.close();
    } catch {
      // already down
    }
    for (const conn of connections) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    await accepting;
  };
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    answers,
    held: () => held,
    pushed,
    down,
    [Symbol.asyncDispose]: down,
  };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength;) at += await conn.write(bytes.subarray(at));
}

/** Reads a request head; returns its target, or undefined if the client left first. */
async function readTarget(conn: Deno.Conn): Promise<string | undefined> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(65536);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) return undefined;
    head += decoder.decode(buffer.subarray(0, n));
  }
  return head.split(" ")[1];
}
