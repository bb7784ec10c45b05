/**
 * Fixtures for the bounded-cache tests: an upstream serving a large JSON list lazily, and a proxy
 * whose cache side takes one chunk and then stops reading (as when KV writes are stuck).
 * @module
 */
import { createProxyHandler } from "../../src/proxy/handler.ts";
import { UpstreamPool } from "../../src/upstream/pool.ts";
import { fixedIdentity, LOOPBACK_CLIENTS } from "./identity_fixture.ts";

export const MiB = 1024 * 1024;

/** An upstream serving a JSON list of `total` bytes in 64 KiB chunks, counting bytes produced. */
export function listUpstream(total: number) {
  const produced = { bytes: 0 };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => {
    const chunk = new TextEncoder().encode(
      `{"metadata":{"name":"x"},"pad":"${"p".repeat(65_000)}"},`,
    );
    const head = new TextEncoder().encode(
      '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[',
    );
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) {
          controller.enqueue(head);
          sent += head.byteLength;
        } else if (sent < total) {
          controller.enqueue(chunk);
          sent += chunk.byteLength;
        } else {
          controller.enqueue(new TextEncoder().encode('{"metadata":{"name":"last"}}]}'));
          controller.close();
        }
        produced.bytes = sent;
      },
    }, { highWaterMark: 0 });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  return { server, produced, url: new URL(`http://127.0.0.1:${server.addr.port}`) };
}

export function proxyWithStuckCache(upstream: URL, maxCacheLagBytes: number) {
  const client = Deno.createHttpClient({});
  const cacheOutcome = Promise.withResolvers<unknown>();
  const handler = createProxyHandler({
    pool: new UpstreamPool([upstream], "round-robin"),
    identity: fixedIdentity(client),
    anonymous: LOOPBACK_CLIENTS,
    suspect: () => {},
    cacheAgents: "*",
    filters: [],
    maxCacheLagBytes,
    headerTimeoutMs: 5000,
    // A cache side that takes one chunk and then stops reading (KV writes stuck).
    cache: (_classified, _response, body) => {
      if (body instanceof Uint8Array) throw new Error("a LIST is streamed to the cache");
      const reader = body.getReader();
      reader.read();
      return reader.closed.then(
        () => cacheOutcome.resolve("finished"),
        (e) => cacheOutcome.resolve(e),
      );
    },
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req, info) => (await handler(req, info.remoteAddr)).response,
  );
  return {
    url: new URL(`http://127.0.0.1:${server.addr.port}/api/v1/pods`),
    cacheOutcome: cacheOutcome.promise,
    async close() {
      await server.shutdown();
      client.close();
    },
  };
}
