import { assert, assertEquals } from "../assert.ts";
import { endCleanly } from "../../src/streams/end_cleanly.ts";
import { drain, source } from "./sources.ts";

Deno.test("endCleanly: an upstream failure ends the stream cleanly after the data so far", async () => {
  let n = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (n++ === 2) controller.error(new Error("upstream reset"));
      else controller.enqueue(new Uint8Array([n]));
    },
  }, { highWaterMark: 0 });
  const chunks = await drain(endCleanly(failing, new AbortController().signal));
  assertEquals(chunks.map((c) => c[0]), [1, 2]);
});

Deno.test("endCleanly: aborting the signal closes the stream and cancels the source", async () => {
  const { stream, stats } = source(1000, 8);
  const closing = new AbortController();
  const reader = endCleanly(stream, closing.signal).getReader();
  await reader.read();
  closing.abort(new Error("shutting down"));
  assertEquals((await reader.read()).done, true);
  assert(stats.cancelled instanceof Error);
});
