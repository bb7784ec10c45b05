import { assert, assertEquals, assertRejects } from "../assert.ts";
import { concat } from "../../src/streams/concat.ts";
import { readPrefix } from "../../src/streams/read_prefix.ts";
import { randomChunks, seededRandom } from "../kube/json/fixtures.ts";
import { drain } from "./sources.ts";

/** A source giving `chunks` and then ending, or failing with `failure` when one is given. */
function sourceOf(chunks: Uint8Array[], bytes: boolean, failure?: Error) {
  const state = { cancelled: undefined as unknown };
  let next = 0;
  const pull = (controller: ReadableStreamController<Uint8Array>) => {
    if (next < chunks.length) return controller.enqueue(chunks[next++].slice());
    if (failure) return controller.error(failure);
    controller.close();
    // A byte stream closed under a pending BYOB read answers it empty, as `fetch` bodies do.
    if (controller instanceof ReadableByteStreamController) controller.byobRequest?.respond(0);
  };
  const cancel = (reason: unknown) => void (state.cancelled = reason ?? "cancelled");
  const stream = bytes
    ? new ReadableStream({ type: "bytes", pull, cancel })
    : new ReadableStream<Uint8Array>({ pull, cancel }, { highWaterMark: 0 });
  return { stream, state };
}

function randomBody(random: () => number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
}

Deno.test("readPrefix: generated bodies, chunkings and limits; whole within the limit, and the replay always gives exactly the source's bytes", async () => {
  const random = seededRandom(14);
  for (let round = 0; round < 300; round++) {
    const body = randomBody(random, Math.floor(random() * 40_000));
    const chunks = randomChunks(body, random, 1 + Math.floor(random() * 20_000));
    const limit = Math.floor(random() * 45_000);
    const byteStream = round % 2 === 0;
    const label = `round ${round}: ${body.length} bytes, limit ${limit}, bytes ${byteStream}`;
    const metered: number[] = [];
    const { stream } = sourceOf(chunks, byteStream);
    const prefix = await readPrefix(stream, limit, (n) => metered.push(n));
    if (body.length <= limit) {
      assertEquals(prefix.stop, "ended", label);
      assertEquals(prefix.bytes, body, label);
    } else {
      assertEquals(prefix.stop, "over", label);
      assert(prefix.bytes.length > limit, label);
      assertEquals(prefix.bytes, body.subarray(0, prefix.bytes.length), label);
      if (byteStream) assertEquals(prefix.bytes.length, limit + 1, label);
    }
    assertEquals(concat(await drain(prefix.replay())), body, label);
    assertEquals(metered.reduce((a, b) => a + b, 0), body.length, label);
  }
});

Deno.test("readPrefix: a source failing part way gives the bytes before the failure, and a replay that ends with the same error", async () => {
  const random = seededRandom(15);
  for (let round = 0; round < 100; round++) {
    const body = randomBody(random, 1 + Math.floor(random() * 20_000));
    const chunks = randomChunks(body, random, 1 + Math.floor(random() * 5_000));
    const failure = new Error(`cut ${round}`);
    const { stream } = sourceOf(chunks, round % 2 === 0, failure);
    const prefix = await readPrefix(stream, 64 * 1024);
    assertEquals(prefix.stop, "failed");
    assert(prefix.error === failure);
    assertEquals(prefix.bytes, body);
    const reader = prefix.replay().getReader();
    const replayed: Uint8Array[] = [];
    const error = await assertRejects(async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        replayed.push(value);
      }
    });
    assert(error === failure);
    assertEquals(concat(replayed), body);
  }
});

Deno.test("readPrefix: cancelling the replay of a source past the limit cancels the source; of one read whole, nothing", async () => {
  for (const byteStream of [false, true]) {
    const chunks = [new Uint8Array(10).fill(1), new Uint8Array(10).fill(2)];
    const over = sourceOf(chunks, byteStream);
    const prefix = await readPrefix(over.stream, 5);
    assertEquals(prefix.stop, "over");
    await prefix.replay().cancel("client went away");
    assertEquals(over.state.cancelled, "client went away");
    const whole = sourceOf(chunks, byteStream);
    const read = await readPrefix(whole.stream, 20);
    assertEquals(read.stop, "ended");
    await read.replay().cancel("client went away");
    assertEquals(whole.state.cancelled, undefined);
  }
});

Deno.test("readPrefix: an empty source ends at once, with an empty replay", async () => {
  for (const byteStream of [false, true]) {
    const prefix = await readPrefix(sourceOf([], byteStream).stream, 0);
    assertEquals(prefix.stop, "ended");
    assertEquals(prefix.bytes.length, 0);
    assertEquals(await drain(prefix.replay()), []);
  }
});
