/**
 * The watch decoder frames line first (a compact event per line, found with `indexOf`); these
 * generated cases hold it to what the structural splitter alone decodes from the same bytes: the
 * same events in the same order, then the same error (class and message, stream offsets
 * included) or none, whatever the layout, the chunking, the damage or the size bound. The framer
 * the cache reads (compact lines left undecoded) is held to the decoder the same way.
 */
import { assert, assertEquals } from "../../assert.ts";
import {
  decodeWatchEvent,
  JsonWatchDecoder,
  jsonWatchFramer,
} from "../../../src/kube/json/watch_decoder.ts";
import { JsonValueSplitter } from "../../../src/kube/json/value_framer.ts";
import { orderedTransform } from "../../../src/streams/ordered_transform.ts";
import type { FramedEvent, WatchEvent } from "../../../src/kube/types.ts";
import { bytesOf, randomChunks, replayBody, seededRandom, streamOf, textOf } from "./fixtures.ts";

/** Captured watch bodies: [replay file, exchange]. */
const REPLAYS: Array<[string, number]> = [
  ["k8s-openapi-v1.36.watch-pods.replay.json", 0],
  ["k8s-openapi-v1.36.watch-pods-sendInitialEvents.replay.json", 0],
  ["k8s-openapi-v1.36.crd-custom-resources.replay.json", 8],
];

/** The reference: every value framed by the structural splitter, then decoded. */
function splitterOnly(resource: string, maxBytes: number): TransformStream<Uint8Array, WatchEvent> {
  const splitter = new JsonValueSplitter(maxBytes);
  const decode = (emit: (event: WatchEvent) => void) => (frame: Uint8Array) =>
    emit(decodeWatchEvent(frame, resource));
  return orderedTransform({
    push: (chunk, emit) => splitter.push(chunk, decode(emit)),
    finish: (emit) => splitter.end(decode(emit)),
  });
}

/** What a decoder made of the chunks: each event's type, object bytes and metadata, then the end. */
async function outcome(
  chunks: Uint8Array[],
  decoder: TransformStream<Uint8Array, WatchEvent>,
): Promise<string[]> {
  const seen: string[] = [];
  const reader = streamOf(chunks).pipeThrough(decoder).getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const { type, object } = read.value;
      seen.push(`${type} ${JSON.stringify(object.meta)} ${textOf(object.bytes)}`);
    }
    seen.push("end");
  } catch (error) {
    seen.push(`${(error as Error).name}: ${(error as Error).message}`);
  }
  return seen;
}

/** The framer's frames, each decoded as it comes, as one stream of events. */
function framedThenDecoded(
  resource: string,
  maxBytes: number,
): TransformStream<Uint8Array, WatchEvent> {
  const framer = jsonWatchFramer(resource, { maxEventBytes: maxBytes });
  const decode = new TransformStream<FramedEvent, WatchEvent>({
    transform(frame, controller) {
      for (const event of frame.decode()) controller.enqueue(event);
    },
  });
  return { writable: framer.writable, readable: framer.readable.pipeThrough(decode) };
}

/** A line that starts and ends as a compact event but is not one JSON value. */
function hasBrokenCompactLine(body: Uint8Array): boolean {
  return textOf(body).split("\n").some((line) => {
    if (!line.startsWith('{"type":"') || !line.endsWith("}")) return false;
    try {
      JSON.parse(line);
      return false;
    } catch {
      return true;
    }
  });
}

/** The captured events as [type, object text] pairs. */
async function capturedEvents(): Promise<Array<{ type: string; object: string }>> {
  const events = [];
  for (const [file, index] of REPLAYS) {
    for (const line of (await replayBody(file, index)).split("\n")) {
      if (line === "") continue;
      const { type } = JSON.parse(line);
      const prefix = `{"type":${JSON.stringify(type)},"object":`;
      events.push({ type, object: line.slice(prefix.length, -1) });
    }
  }
  return events;
}

/** One event written in one of the layouts a server or a test might use. */
function layout(event: { type: string; object: string }, random: () => number): string {
  const compact = `{"type":${JSON.stringify(event.type)},"object":${event.object}}`;
  switch (Math.floor(random() * 8)) {
    case 0:
      return `{"object":${event.object},"type":${JSON.stringify(event.type)}}\n`;
    case 1:
      return `{ "type" : ${JSON.stringify(event.type)} ,\t"object" : ${event.object} }\r\n`;
    case 2:
      return `${JSON.stringify({ type: event.type, object: JSON.parse(event.object) }, null, 2)}\n`;
    case 3:
      return compact; // no newline: the next event follows on the same line
    case 4:
      return `\n  ${compact}\n`;
    default:
      return `${compact}\n`;
  }
}

/** Damage that a cut link or a broken server could do to the body. */
function damage(body: Uint8Array, random: () => number): Uint8Array {
  const bytes = body.slice();
  switch (Math.floor(random() * 6)) {
    case 0:
      return bytes.subarray(0, Math.floor(random() * bytes.length)); // truncated
    case 1: {
      const at = Math.floor(random() * bytes.length);
      bytes[at] = [0x0a, 0x22, 0x7d, 0x5c, 0x00, 0x20][Math.floor(random() * 6)];
      return bytes;
    }
    case 2: {
      const at = Math.floor(random() * bytes.length);
      return new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
    }
    default:
      return bytes;
  }
}

Deno.test("watch framing: line-first decoding matches the structural splitter on generated streams", async () => {
  const events = await capturedEvents();
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    let text = "";
    const count = 1 + Math.floor(random() * 6);
    // Mostly compact lines; some streams in other layouts.
    const mixed = random() < 0.5;
    for (let i = 0; i < count; i++) {
      const event = events[Math.floor(random() * events.length)];
      text += mixed ? layout(event, random) : `{"type":"${event.type}","object":${event.object}}\n`;
    }
    const body = damage(bytesOf(text), random);
    // A bound some events exceed, in a third of the cases.
    const maxBytes = random() < 0.33 ? 500 + Math.floor(random() * 20_000) : 16 * 1024 * 1024;
    const chunks = randomChunks(body, random, seed % 3 === 0 ? 7 : 40_000);
    const resource = "pods";
    assertEquals(
      await outcome(chunks, new JsonWatchDecoder(resource, { maxEventBytes: maxBytes })),
      await outcome(chunks, splitterOnly(resource, maxBytes)),
      `seed ${seed}`,
    );
  }
});

Deno.test("watch framing: a long run of values without a newline is framed within the bound", async () => {
  const events = await capturedEvents();
  const compact = events.map(({ type, object }) => `{"type":"${type}","object":${object}}`);
  const text = compact.join("").repeat(4);
  const body = bytesOf(text);
  const largest = Math.max(...compact.map((line) => bytesOf(line).length));
  const chunks = randomChunks(body, seededRandom(7), 4096);
  const decoded = await outcome(chunks, new JsonWatchDecoder("pods", { maxEventBytes: largest }));
  assertEquals(decoded.length, compact.length * 4 + 1);
  assertEquals(decoded.at(-1), "end");
});

Deno.test("watch framing: the cache's framer decodes what the decoder does on generated streams", async () => {
  const events = await capturedEvents();
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    let text = "";
    const count = 1 + Math.floor(random() * 6);
    for (let i = 0; i < count; i++) {
      text += layout(events[Math.floor(random() * events.length)], random);
    }
    const body = damage(bytesOf(text), random);
    const maxBytes = random() < 0.33 ? 500 + Math.floor(random() * 20_000) : 16 * 1024 * 1024;
    const chunks = randomChunks(body, random, seed % 3 === 0 ? 7 : 40_000);
    const decoded = await outcome(
      chunks,
      new JsonWatchDecoder("pods", { maxEventBytes: maxBytes }),
    );
    const framed = await outcome(chunks, framedThenDecoded("pods", maxBytes));
    const [ending, decodedEnding] = [framed.at(-1)!, decoded.at(-1)!];
    // The same events; a compact line's fault surfaces when it is decoded, so its message may
    // name offsets within the line instead of the stream's.
    assertEquals(framed.slice(0, -1), decoded.slice(0, framed.length - 1), `seed ${seed}`);
    if (ending === "end" || decodedEnding === "end") {
      if (ending !== decodedEnding) {
        // Only where a line looks like a compact event without being one value.
        assertEquals([ending === "end", hasBrokenCompactLine(body)], [false, true], `seed ${seed}`);
      } else assertEquals(framed, decoded, `seed ${seed}`);
    }
  }
});

Deno.test("watch framing: an event broken by a newline after a '}' fails in the framer, not the decoder", async () => {
  const object = '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"d"}';
  const body = bytesOf(`{"type":"ADDED","object":${object}\n}}\n`);
  assert(hasBrokenCompactLine(body));
  assertEquals((await outcome([body], new JsonWatchDecoder("pods"))).length, 2);
  const framed = await outcome([body], framedThenDecoded("pods", 1024));
  assertEquals([framed.length, framed[0].startsWith("SyntaxError")], [1, true]);
});
