import { assertEquals } from "../assert.ts";
import { chunkStream } from "../../src/streams/chunk_stream.ts";
import { drain } from "./sources.ts";

Deno.test("chunkStream: pulls chunks one at a time and stops the iterator on cancel", async () => {
  const chunks = [Uint8Array.of(1), Uint8Array.of(2, 3)];
  assertEquals(await drain(chunkStream(chunks)), chunks);
  let pulled = 0;
  let stopped = false;
  function* endless() {
    try {
      for (;;) yield Uint8Array.of(pulled++);
    } finally {
      stopped = true;
    }
  }
  const reader = chunkStream(endless()).getReader();
  await reader.read();
  await reader.cancel();
  assertEquals({ pulled, stopped }, { pulled: 1, stopped: true });
});
