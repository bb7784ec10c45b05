import { assertEquals } from "../assert.ts";
import { meteredStream } from "../../src/streams/metered_stream.ts";
import { drain, source } from "./sources.ts";

Deno.test("meteredStream: reports every chunk's size and passes bytes through", async () => {
  const { stream } = source(7, 300);
  let total = 0;
  const chunks = await drain(meteredStream(stream, (n) => (total += n)));
  assertEquals(chunks.length, 7);
  assertEquals(total, 2100);
});
