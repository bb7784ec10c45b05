import { assertEquals } from "../../../assert.ts";
import { openWatch, parseEvent } from "../../../../scripts/bench/lib/kube_client.ts";

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
