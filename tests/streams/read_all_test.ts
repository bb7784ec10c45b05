import { assertEquals, assertRejects } from "../assert.ts";
import { chunkStream } from "../../src/streams/chunk_stream.ts";
import { readAll } from "../../src/streams/read_all.ts";

Deno.test("readAll: joins a body within the limit and refuses one past it", async () => {
  const body = () => chunkStream([Uint8Array.of(1, 2), Uint8Array.of(3)]);
  assertEquals([...await readAll(body(), 3)], [1, 2, 3]);
  await assertRejects(() => readAll(body(), 2), RangeError, "larger than 2 bytes");
});
