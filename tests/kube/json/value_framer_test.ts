import { assert, assertEquals, assertRejects } from "../../assert.ts";
import {
  JsonValueFramer,
  JsonValueSplitter,
  MAX_JSON_DEPTH,
} from "../../../src/kube/json/value_framer.ts";
import {
  byteChunks,
  bytesOf,
  collect,
  randomChunks,
  replayBody,
  seededRandom,
  splitAt,
  streamOf,
  textOf,
} from "./fixtures.ts";

async function frame(chunks: Iterable<Uint8Array>, maxValueBytes?: number): Promise<string[]> {
  const values = await collect(
    streamOf(chunks).pipeThrough(new JsonValueFramer({ maxValueBytes })),
  );
  return values.map(textOf);
}

/** The lines of a newline-delimited stream, without the empty one after the last newline. */
function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

Deno.test("framer: a captured watch stream in one chunk gives one value per event", async () => {
  const body = await replayBody("k8s-openapi-v1.36.watch-pods.replay.json");
  const values = await frame([bytesOf(body)]);
  assertEquals(values.length, 5);
  assertEquals(values, lines(body));
});

Deno.test("framer: the CRD watch stream split in two at every byte boundary", async () => {
  const body = bytesOf(await replayBody("k8s-openapi-v1.36.crd-custom-resources.replay.json", 8));
  const expected = lines(textOf(body));
  assertEquals(expected.length, 2);
  for (let point = 0; point <= body.length; point++) {
    assertEquals(await frame(splitAt(body, point)), expected, `split at ${point}`);
  }
});

Deno.test("framer: the watch-list stream cut at seeded random boundaries", async () => {
  const text = await replayBody("k8s-openapi-v1.36.watch-pods-sendInitialEvents.replay.json");
  const body = bytesOf(text);
  const expected = lines(text);
  assertEquals(expected.length, 9);
  for (let seed = 1; seed <= 40; seed++) {
    const chunks = randomChunks(body, seededRandom(seed), seed % 2 ? 97 : 8192);
    assertEquals(await frame(chunks), expected, `seed ${seed}`);
  }
});

Deno.test("framer: a watch stream fed one byte per chunk", async () => {
  const text = await replayBody("k8s-openapi-v1.36.watch-pods.replay.json");
  assertEquals(await frame(byteChunks(bytesOf(text))), lines(text));
});

Deno.test("framer: several values in one chunk, with or without whitespace between", async () => {
  const values = await frame([bytesOf('{"a":1}{"b":[2]}\n\r\t [3,{}] "s{" -4.5e3 true null{}')]);
  assertEquals(values, ['{"a":1}', '{"b":[2]}', "[3,{}]", '"s{"', "-4.5e3", "true", "null", "{}"]);
});

Deno.test("framer: a value inside one chunk is a view of that chunk, not a copy", async () => {
  const chunk = bytesOf('{"a":1}\n{"b":2}\n');
  const values = await collect(streamOf([chunk]).pipeThrough(new JsonValueFramer()));
  assertEquals(values.length, 2);
  for (const value of values) assert(value.buffer === chunk.buffer);
});

Deno.test("framer: escaped quotes, backslash runs and brackets in strings, every split", async () => {
  const text = String.raw`{"a":"\"}{[","b":"\\"}{"c":"\\\"]\\\\","d":["}"]}"\"\\"`;
  const expected = [String.raw`{"a":"\"}{[","b":"\\"}`, String.raw`{"c":"\\\"]\\\\","d":["}"]}`];
  expected.push(String.raw`"\"\\"`);
  for (const value of expected) JSON.parse(value);
  const body = bytesOf(text);
  for (let point = 0; point <= body.length; point++) {
    assertEquals(await frame(splitAt(body, point)), expected, `split at ${point}`);
  }
  assertEquals(await frame(byteChunks(body)), expected);
});

Deno.test("framer: multi-byte UTF-8 characters split across chunks survive", async () => {
  const text = '{"name":"héllo","emoji":"🎉 日本語","quote":"«}»"}\n{"ü":"ß"}';
  const body = bytesOf(text);
  for (let point = 0; point <= body.length; point++) {
    const values = await frame(splitAt(body, point));
    assertEquals(values, ['{"name":"héllo","emoji":"🎉 日本語","quote":"«}»"}', '{"ü":"ß"}']);
  }
});

Deno.test("framer: a number split across chunks and one ending the input", async () => {
  assertEquals(await frame([bytesOf("12"), bytesOf("34 5")]), ["1234", "5"]);
  assertEquals(await frame(byteChunks(bytesOf("-1.5 fal")).concat(bytesOf("se"))), [
    "-1.5",
    "false",
  ]);
});

Deno.test("framer: a value of exactly maxValueBytes passes", async () => {
  const value = '{"a":"xyz"}';
  assertEquals(await frame(byteChunks(bytesOf(value + value)), value.length), [value, value]);
});

Deno.test("framer: a value over maxValueBytes within one chunk errors the stream", async () => {
  await assertRejects(
    () => frame([bytesOf('{"a":"xyz"}')], 10),
    RangeError,
    "larger than 10 bytes (maxValueBytes)",
  );
});

Deno.test("framer: an endless value errors once past maxValueBytes, not at its end", async () => {
  let produced = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = bytesOf(produced === 0 ? '{"a":[' : "1,2,3,4,5,6,7,8,");
      produced += chunk.length;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  await assertRejects(
    () => collect(endless.pipeThrough(new JsonValueFramer({ maxValueBytes: 1000 }))),
    RangeError,
    "maxValueBytes",
  );
  assert(produced <= 1000 + 16 * 3, `read ${produced} bytes`);
});

Deno.test("framer: a closing bracket with nothing open errors with its offset", async () => {
  await assertRejects(
    () => frame([bytesOf('{"a":1}\n}')]),
    SyntaxError,
    "at byte 8: unexpected '}'",
  );
});

Deno.test("framer: a mismatched closing bracket errors", async () => {
  await assertRejects(() => frame([bytesOf('{"a":[1}')]), SyntaxError, "unexpected '}'");
  await assertRejects(() => frame([bytesOf('{"a":1]')]), SyntaxError, "unexpected ']'");
});

Deno.test("framer: bytes that cannot start a value (an HTML page) error", async () => {
  await assertRejects(
    () => frame([bytesOf("<html>oops</html>")]),
    SyntaxError,
    "at byte 0: unexpected '<' where a value starts",
  );
});

Deno.test("framer: input ending inside an object or a string errors as truncated", async () => {
  await assertRejects(() => frame([bytesOf('{"a":1}{"b":')]), SyntaxError, "end of input");
  await assertRejects(() => frame([bytesOf('{"a":"x')]), SyntaxError, "at byte 7");
  await assertRejects(() => frame([bytesOf('"abc\\')]), SyntaxError, "end of input");
});

Deno.test("framer: nesting deeper than the limit errors instead of growing", async () => {
  const deep = "[".repeat(MAX_JSON_DEPTH + 1);
  await assertRejects(() => frame([bytesOf(deep)]), SyntaxError, `nesting deeper than`);
  const ok = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
  assertEquals((await frame([bytesOf(ok)])).length, 1);
});

Deno.test("framer: empty input and whitespace only give no values", async () => {
  assertEquals(await frame([]), []);
  assertEquals(await frame([bytesOf(" \n\n "), bytesOf("\t")]), []);
});

/** Feeds `chunks` to a splitter offering lines to a recorder that takes every one. */
function splitLines(chunks: string[]): { offered: string[]; scanned: string[] } {
  const splitter = new JsonValueSplitter();
  const offered: string[] = [];
  const scanned: string[] = [];
  const take = (line: Uint8Array) => (offered.push(textOf(line)), true);
  for (const chunk of chunks) splitter.push(bytesOf(chunk), (v) => scanned.push(textOf(v)), take);
  splitter.drain((v) => scanned.push(textOf(v)));
  splitter.end((v) => scanned.push(textOf(v)));
  return { offered, scanned };
}

Deno.test("splitter: a line running into later chunks is offered whole once its newline comes", () => {
  assertEquals(splitLines(['{"a":"x', "y", 'z"}\n{"b":1}\n']), {
    offered: ['{"a":"xyz"}', '{"b":1}'],
    scanned: [],
  });
});

Deno.test("splitter: a chunk ending where a value may end is scanned at once, not kept", () => {
  const splitter = new JsonValueSplitter();
  const emitted: string[] = [];
  const take = () => true;
  splitter.push(bytesOf('{"a":{"b":1}}'), (v) => emitted.push(textOf(v)), take);
  assertEquals(emitted, ['{"a":{"b":1}}']);
  splitter.push(bytesOf(' {"c":[1'), (v) => emitted.push(textOf(v)), take); // kept
  splitter.push(bytesOf("]"), (v) => emitted.push(textOf(v)), take); // scanned: not ended yet
  assertEquals(emitted, ['{"a":{"b":1}}']);
  splitter.push(bytesOf("}"), (v) => emitted.push(textOf(v)), take);
  assertEquals(emitted, ['{"a":{"b":1}}', '{"c":[1]}']);
});

Deno.test("splitter: a kept line is scanned at the end of the input, its faults its own", () => {
  assertEquals(splitLines(['{"a":1}{"b"', ":2}"]), {
    offered: [],
    scanned: ['{"a":1}', '{"b":2}'],
  });
  const splitter = new JsonValueSplitter();
  splitter.push(bytesOf('{"a":1} x'), () => {}, () => true);
  let fault: unknown;
  try {
    splitter.drain(() => {});
  } catch (error) {
    fault = error;
  }
  assert(fault instanceof SyntaxError && fault.message.includes("unexpected 'x'"), String(fault));
});
