/**
 * Hostile input, slow clients (slowloris): 50 connections trickling their request headers a few
 * bytes at a time, and 20 trickling their write bodies. Deno's HTTP server has no header-read
 * timeout (see the README's Bounds), so they are held, not refused: a well-behaved client is
 * served all along, and each slow request, once complete, is answered as if it had come at once.
 * @module
 */
import { assertEquals } from "../assert.ts";
import { startStack } from "../harness.ts";
import { assertServed, CONFIGMAPS, KUBELET } from "./helpers.ts";

const encoder = new TextEncoder();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `bytes` over `conn` `step` bytes at a time, pausing between writes. */
async function trickle(conn: Deno.Conn, bytes: Uint8Array, step: number): Promise<void> {
  for (let at = 0; at < bytes.byteLength; at += step) {
    await conn.write(bytes.subarray(at, at + step));
    await pause(20);
  }
}

/** Reads the connection to its end; returns the status line's code and the body. */
async function readAnswer(conn: Deno.Conn): Promise<{ code: number; body: string }> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const buffer = new Uint8Array(65536);
  for (let n; (n = await conn.read(buffer)) !== null;) chunks.push(buffer.slice(0, n));
  const text = new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
  return { code: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

async function slowly(port: number, head: string, body: Uint8Array, step: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await trickle(conn, encoder.encode(head), step);
    await trickle(conn, body, step);
    return await readAnswer(conn);
  } finally {
    conn.close();
  }
}

async function whileSlow<T>(proxyUrl: string, slow: Promise<T>[]): Promise<T[]> {
  let done = false;
  const all = Promise.all(slow).finally(() => done = true);
  // The well-behaved client is served while the slow ones are still sending.
  let served = 0;
  while (!done || served === 0) {
    await assertServed(proxyUrl);
    served++;
  }
  return await all;
}

Deno.test("hostile clients: 50 trickled request heads are held while others are served, then answered", async () => {
  await using stack = await startStack();
  const port = stack.agent.proxyAddress.port;
  const head =
    `GET ${CONFIGMAPS} HTTP/1.1\r\nHost: proxy\r\nUser-Agent: ${KUBELET["user-agent"]}\r\n` +
    `X-Slow: ${"s".repeat(100)}\r\nConnection: close\r\n\r\n`;
  const slow = Array.from({ length: 50 }, () => slowly(port, head, new Uint8Array(), 8));
  for (const answer of await whileSlow(stack.proxyUrl, slow)) {
    assertEquals(answer.code, 200, answer.body.slice(0, 200));
  }
});

Deno.test("hostile clients: 20 trickled write bodies are held while others are served, then answered", async () => {
  await using stack = await startStack();
  const port = stack.agent.proxyAddress.port;
  const slow = Array.from({ length: 20 }, (_, i) => {
    const body = encoder.encode(JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `slow-${i}`, namespace: "default" },
      data: { padding: "p".repeat(300) },
    }));
    const head =
      `POST ${CONFIGMAPS} HTTP/1.1\r\nHost: proxy\r\nUser-Agent: ${KUBELET["user-agent"]}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.byteLength}\r\nConnection: close\r\n\r\n`;
    return slowly(port, head, body, 16);
  });
  const answers = await whileSlow(stack.proxyUrl, slow);
  assertEquals(answers.map((a) => a.code), answers.map(() => 201));
  for (let i = 0; i < 20; i++) {
    assertEquals(stack.sim.objects.get("configmaps", `slow-${i}`, "default")?.data, {
      padding: "p".repeat(300),
    });
  }
});
