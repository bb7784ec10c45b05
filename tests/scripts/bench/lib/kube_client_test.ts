import { assert, assertEquals } from "../../../assert.ts";
import {
  openWatch,
  paceWaitMs,
  parseEvent,
  timedGet,
} from "../../../../scripts/bench/lib/kube_client.ts";
import { seededRandom } from "../../../kube/json/fixtures.ts";

const encoder = new TextEncoder();

/** Serves `chunks` as one streamed body, then ends it. */
function serveChunks(chunks: string[]) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
    return new Response(body);
  });
}

async function lines(chunks: string[]): Promise<string[]> {
  const server = serveChunks(chunks);
  const seen: string[] = [];
  const watch = openWatch(`http://127.0.0.1:${server.addr.port}/`, {}, (line) => {
    seen.push(new TextDecoder().decode(line));
  });
  await watch.done;
  await server.shutdown();
  return seen;
}

Deno.test("openWatch: events split across chunks are joined", async () => {
  assertEquals(await lines(['{"a":', '1}\n{"b"', ":2}\n"]), ['{"a":1}', '{"b":2}']);
});

Deno.test("openWatch: several events in one chunk are split", async () => {
  assertEquals(await lines(['{"a":1}\n{"b":2}\n{"c":3}\n']), ['{"a":1}', '{"b":2}', '{"c":3}']);
});

Deno.test("openWatch: an event spread over three chunks, and empty lines skipped", async () => {
  assertEquals(await lines(['{"a"', ":", "1}\n\n"]), ['{"a":1}']);
});

Deno.test("openWatch: a non-200 answer rejects ready and done", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("no", { status: 410 }),
  );
  const watch = openWatch(`http://127.0.0.1:${server.addr.port}/`, {}, () => {});
  let failed = 0;
  await watch.ready.catch(() => failed++);
  await watch.done.catch(() => failed++);
  await server.shutdown();
  assertEquals(failed, 2);
});

Deno.test("parseEvent: type, name, resourceVersion and annotations of a watch event", () => {
  const line = encoder.encode(JSON.stringify({
    type: "MODIFIED",
    object: { metadata: { name: "p", resourceVersion: "42", annotations: { a: "b" } } },
  }));
  assertEquals(parseEvent(line), {
    type: "MODIFIED",
    name: "p",
    resourceVersion: "42",
    annotations: { a: "b" },
  });
});

Deno.test("paceWaitMs: waits what the bytes take at the rate, less the time spent", () => {
  assertEquals(paceWaitMs(1000, 0, 1000), 1000);
  assertEquals(paceWaitMs(1000, 400, 1000), 600);
  assertEquals(paceWaitMs(1000, 1000, 1000), 0);
  assertEquals(paceWaitMs(1000, 2500, 1000), 0);
  assertEquals(paceWaitMs(12_500_000, 0, 100e6 / 8), 1000);
});

Deno.test("paceWaitMs: after the wait the average rate is the rate, never above (seeded)", () => {
  const random = seededRandom(14);
  for (let i = 0; i < 1000; i++) {
    const rate = 1 + Math.floor(random() * 1e8);
    const bytes = Math.floor(random() * 1e9);
    const elapsedMs = random() * 2 * (bytes / rate) * 1000;
    const wait = paceWaitMs(bytes, elapsedMs, rate);
    assert(wait >= 0, `negative wait ${wait}`);
    const averageRate = bytes / ((elapsedMs + wait) / 1000);
    if (wait > 0) assert(Math.abs(averageRate - rate) <= rate * 1e-9, `${averageRate} vs ${rate}`);
    else assert(averageRate <= rate * (1 + 1e-9), `${averageRate} above ${rate}`);
  }
});

Deno.test("timedGet: a paced read still gets the whole body, chunk by chunk", async () => {
  const chunks = Array.from({ length: 20 }, (_, i) => "x".repeat(1000 + i));
  const server = serveChunks(chunks);
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const expected = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const paced = await timedGet(url, {}, { readRate: 1e6 });
  const unpaced = await timedGet(url, {});
  await server.shutdown();
  assertEquals([paced.status, paced.bytes], [200, expected]);
  assertEquals(unpaced.bytes, expected);
});
