import { assertEquals } from "../../assert.ts";
import { startLinkRelay } from "../../../scripts/conformance/relay.ts";

/** An echo server counting the connections it accepted. */
function echoServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { accepted: 0 };
  const serving = (async () => {
    for await (const conn of listener) {
      state.accepted++;
      conn.readable.pipeTo(conn.writable).catch(() => undefined);
    }
  })().catch(() => undefined);
  return {
    port: listener.addr.port,
    state,
    async close() {
      listener.close();
      await serving;
    },
  };
}

async function connect(port: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buffer = new Uint8Array(64);
  return {
    conn,
    send: (text: string) => conn.write(new TextEncoder().encode(text)),
    /** The next bytes as text, or null at the end of the stream. */
    async receive(): Promise<string | null> {
      const n = await conn.read(buffer).catch(() => null);
      return n === null ? null : new TextDecoder().decode(buffer.subarray(0, n));
    },
  };
}

Deno.test("link relay: forwards both ways, and cut ends open connections", async () => {
  const server = echoServer();
  const relay = startLinkRelay({ hostname: "127.0.0.1", port: server.port });
  const client = await connect(relay.port);
  await client.send("ping");
  assertEquals(await client.receive(), "ping");
  assertEquals(relay.cut(), 2);
  assertEquals(await client.receive(), null);
  client.conn.close();
  await relay.close();
  await server.close();
});

Deno.test("link relay: refuse closes new connections before a byte reaches the target", async () => {
  const server = echoServer();
  const relay = startLinkRelay({ hostname: "127.0.0.1", port: server.port });
  relay.setMode("refuse");
  const client = await connect(relay.port);
  assertEquals(await client.receive(), null);
  assertEquals(server.state.accepted, 0);
  client.conn.close();
  await relay.close();
  await server.close();
});

Deno.test("link relay: blackhole holds new connections unanswered and stalls open ones", async () => {
  const server = echoServer();
  const relay = startLinkRelay({ hostname: "127.0.0.1", port: server.port });
  const open = await connect(relay.port);
  await open.send("a");
  assertEquals(await open.receive(), "a");

  relay.setMode("blackhole");
  const held = await connect(relay.port);
  await held.send("never forwarded");
  await open.send("b");
  const late = open.receive();
  assertEquals(server.state.accepted, 1);

  // Back to forward: the held connection is closed, never having reached the target, and the
  // stalled one carries on with what it was holding.
  relay.setMode("forward");
  assertEquals(await held.receive(), null);
  assertEquals(server.state.accepted, 1);
  assertEquals(await late, "b");
  held.conn.close();
  open.conn.close();
  await relay.close();
  await server.close();
});
