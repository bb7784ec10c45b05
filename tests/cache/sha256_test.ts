import { createHash } from "node:crypto";
import { assertEquals } from "../assert.ts";
import { sha256Hex } from "../../src/cache/sha256.ts";

const reference = (text: string) => createHash("sha256").update(text).digest("hex");

Deno.test("sha256Hex gives node:crypto's digest at every length around the block boundaries", () => {
  for (let length = 0; length <= 300; length++) {
    const text = Array.from({ length }, (_, i) => String.fromCharCode(32 + (i * 7) % 95)).join("");
    assertEquals(sha256Hex(text), reference(text), `length ${length}`);
  }
});

Deno.test("sha256Hex hashes the UTF-8 bytes, and long inputs", () => {
  for (const text of ["", "abc", "grüße/世界/🙂", "x".repeat(100_000)]) {
    assertEquals(sha256Hex(text), reference(text));
  }
  assertEquals(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
