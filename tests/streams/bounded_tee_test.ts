import { assert, assertEquals, assertRejects } from "../assert.ts";
import { boundedTee, CacheBranchOverflow, StreamCut } from "../../src/streams/bounded_tee.ts";
import { drain, source } from "./sources.ts";

Deno.test("boundedTee: both branches see every chunk unchanged when the cache keeps up", async () => {
  const { stream } = source(20, 1000);
  const { client, cache } = boundedTee(stream, 64 * 1024);
  const [a, b] = await Promise.all([drain(client), drain(cache)]);
  assertEquals(a.length, 20);
  assertEquals(b.length, 20);
  for (let i = 0; i < 20; i++) {
    assertEquals(a[i][0], i);
    assertEquals(b[i][0], i);
  }
});

Deno.test("boundedTee: a cache branch that never reads overflows at the cap, client unaffected", async () => {
  const { stream } = source(64, 64 * 1024);
  const cap = 256 * 1024;
  const { client, cache } = boundedTee(stream, cap);
  const received = await drain(client);
  assertEquals(received.length, 64);
  const reader = cache.getReader();
  let cached = 0;
  const error = await (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        cached += value.byteLength;
      }
    } catch (e) {
      return e;
    }
  })();
  assert(error instanceof CacheBranchOverflow, `expected overflow, got ${error}`);
  assert(cached <= cap, `cache queue held ${cached} bytes, cap ${cap}`);
});

Deno.test("boundedTee: a slow client holds the upstream back (no read-ahead)", async () => {
  const { stream, stats } = source(1000, 1024);
  const { client, cache, cut } = boundedTee(stream, 1 << 20);
  const cacheDone = drain(cache);
  const reader = client.getReader();
  for (let i = 0; i < 5; i++) await reader.read();
  await new Promise((r) => setTimeout(r, 20));
  assert(stats.pulled <= 6, `source was pulled ${stats.pulled} times for 5 client reads`);
  await reader.cancel();
  assertEquals((await cacheDone).length, 5);
  assert(await cut instanceof StreamCut);
});

Deno.test("boundedTee: client cancel cancels the source, ends the cache branch, reports the cut", async () => {
  const { stream, stats } = source(1000, 10);
  const { client, cache, cut } = boundedTee(stream, 1 << 20);
  const reader = client.getReader();
  await reader.read();
  await reader.cancel(new Error("gone"));
  assert(stats.cancelled instanceof Error);
  assertEquals((await drain(cache)).length, 1);
  const reported = await cut;
  assert(reported instanceof StreamCut && reported.message.includes("gone"), `${reported}`);
});

Deno.test("boundedTee: a source that ends by itself reports no cut", async () => {
  const { stream } = source(3, 10);
  const { client, cache, cut } = boundedTee(stream, 1 << 20);
  const cacheDone = drain(cache);
  assertEquals((await drain(client)).length, 3);
  assertEquals((await cacheDone).length, 3);
  assertEquals(await cut, undefined);
});

Deno.test("boundedTee: a source error reaches the client, and the cache as a reported cut", async () => {
  let n = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (n++ === 2) controller.error(new Error("upstream cut"));
      else controller.enqueue(new Uint8Array(4));
    },
  }, { highWaterMark: 0 });
  const { client, cache, cut } = boundedTee(failing, 1 << 20);
  const cacheDone = drain(cache);
  await assertRejects(() => drain(client), Error, "upstream cut");
  assertEquals((await cacheDone).length, 2, "the cache branch ends cleanly after its data");
  const reported = await cut;
  assert(reported instanceof StreamCut && reported.message.includes("upstream cut"), `${reported}`);
});

Deno.test("boundedTee: cancelling the cache branch leaves the client whole", async () => {
  const { stream } = source(10, 100);
  const { client, cache } = boundedTee(stream, 1 << 20);
  await cache.cancel();
  assertEquals((await drain(client)).length, 10);
});

Deno.test("boundedTee: a cut stream hands the cache what it queued, then ends it cleanly", async () => {
  let n = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (n++ === 3) controller.error(new Error("link cut"));
      else controller.enqueue(new Uint8Array([n]));
    },
  }, { highWaterMark: 0 });
  const { client, cache, cut } = boundedTee(failing, 1 << 20);
  await assertRejects(() => drain(client), Error, "link cut");
  assert(await cut instanceof StreamCut);
  const seen = (await drain(cache)).map((chunk) => chunk[0]);
  assertEquals(seen, [1, 2, 3]);
});
