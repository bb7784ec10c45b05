/**
 * Test helper: watch frames built independently of the code under test, and a stream runner.
 * @module
 */
import { TruncatedBody } from "../../../src/streams/ordered_transform.ts";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { WatchEvent } from "../../../src/kube/types.ts";
import {
  protobufWatchDecoder,
  type WatchDecoderOptions,
} from "../../../src/kube/protobuf/watch.ts";

/** A frame as apimachinery writes it: BE length + WatchEvent { type, object { raw } }. */
export function goFrame(type: string, enveloped: Uint8Array): Uint8Array {
  const event = new BinaryWriter()
    .tag(1, WireType.LengthDelimited).string(type)
    .tag(2, WireType.LengthDelimited).fork()
    .tag(1, WireType.LengthDelimited).bytes(enveloped)
    .join()
    .finish();
  return withLength(event);
}

/** `body` behind a 4-byte big-endian length prefix. */
export function withLength(body: Uint8Array, length = body.length): Uint8Array {
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, length);
  frame.set(body, 4);
  return frame;
}

/** Joins byte arrays. */
export function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The decoder's own error: a body ending inside a frame wraps it in `TruncatedBody`. */
export function decoderError(error: unknown): unknown {
  return error instanceof TruncatedBody ? error.cause : error;
}

/** What a decoder run produced: the events emitted before it ended, and its error if any. */
export interface WatchRun {
  events: WatchEvent[];
  error?: unknown;
}

/** Feeds `chunks` through a watch decoder and collects everything it emits. */
export async function runWatch(
  chunks: Uint8Array[],
  options: WatchDecoderOptions = {},
): Promise<WatchRun> {
  const events: WatchEvent[] = [];
  const stream = ReadableStream.from(chunks).pipeThrough(protobufWatchDecoder(options));
  try {
    for await (const event of stream) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}
