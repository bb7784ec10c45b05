import { assertEquals } from "../assert.ts";
import { ChunkBuffer } from "../../src/streams/chunk_buffer.ts";

Deno.test("ChunkBuffer: hands out a chunk once the size is reached, the rest on flush", () => {
  const buffer = new ChunkBuffer(4);
  assertEquals(buffer.push(Uint8Array.of(1, 2)), undefined);
  assertEquals([...buffer.push(Uint8Array.of(3, 4, 5))!], [1, 2, 3, 4, 5]);
  assertEquals(buffer.flush(), undefined);
  const single = Uint8Array.of(6);
  buffer.push(single);
  assertEquals(buffer.flush() === single, true);
});
