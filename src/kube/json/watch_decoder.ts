/**
 * Streaming decoder of a JSON watch body: `{"type":…,"object":{…}}` values, one after another,
 * cut at arbitrary chunk boundaries. Each event's object keeps the exact bytes the server sent.
 * Framing is line first: kube-apiserver writes one compact event per line, so each line is decoded
 * as a compact event in place (which validates it in full; a line running into later chunks is
 * kept until its newline comes and joined once), and only what is not one — another member order
 * or spacing, several events on a line, a pretty-printed event, one over the size bound — is
 * framed by the structural scan (`JsonValueSplitter`'s `takeLine`). Events are emitted
 * as soon as their last byte arrives (where several share a line, maybe with the chunk after;
 * see `JsonValueSplitter.push`). 140 against 180 ms of CPU per 5,000 captured-pod events
 * with the structural scan alone (median of 5 alternating runs).
 *
 * {@link jsonWatchFramer} frames the same way for the cache ingest, but leaves a compact line (or
 * a compact event the structural scan framed across chunks) undecoded: its type is read in place
 * and its object's `namespace/name` by `peekObjectKey`, and the line is decoded (and validated)
 * only if it is stored; one whose decoded type or object is
 * not what it was framed as (members repeated) fails then. A line that a later change of its
 * object replaces in the coalescing window is never decoded, once it is known to hold that one
 * event (`LineEvent.replaceable`), so a line holding several events is never dropped with its
 * first. What that trusts: a replaced line is not validated, so bytes that are no JSON, or repeat
 * the members naming the object, pass unnoticed there (the client got them as they were; kube-
 * apiserver writes neither). A line that is not a whole value (an event broken by a newline just
 * after a `}`, a layout no apiserver writes) fails when decoded, where the decoder would frame it
 * across lines. JavaScript thread CPU per event at 15,000 events/s of 100 pods
 * (`scripts/bench/watch_ingest_bench.ts`, 3 alternating runs of 2 rounds, shared machine): 46–55
 * µs decoding every event, 35–47 µs with replaced lines left undecoded. Pure: no I/O.
 * @module
 */
import { orderedTransform } from "../../streams/ordered_transform.ts";
import { decodedFrame, eventKey } from "../framed_event.ts";
import type { FramedEvent, RawObject, WatchEvent, WatchEventType } from "../types.ts";
import { CLOSE_BRACE, QUOTE } from "./bytes.ts";
import { jsonObjectMembers, rawObjectFromJson } from "./object.ts";
import { peekObjectKey } from "./object_key.ts";
import { DEFAULT_MAX_VALUE_BYTES, JsonValueScanner, JsonValueSplitter } from "./value_framer.ts";

const decoder = new TextDecoder();

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>([
  "ADDED",
  "MODIFIED",
  "DELETED",
  "BOOKMARK",
  "ERROR",
]);

/** `{"type":"` and `","object":` as kube-apiserver writes them, for the fast path. */
const TYPE_OPEN = new TextEncoder().encode('{"type":"');
const OBJECT_OPEN = new TextEncoder().encode('","object":');

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[at + i] !== prefix[i]) return false;
  }
  return true;
}

function badEvent(message: string): SyntaxError {
  return new SyntaxError(`malformed JSON watch event: ${message}`);
}

function checkType(type: unknown): WatchEventType {
  if (typeof type !== "string" || !EVENT_TYPES.has(type)) {
    throw badEvent(`unknown event type ${JSON.stringify(type)}`);
  }
  return type as WatchEventType;
}

/** The object of an event; a Status for ERROR, whose selectable fields are only metadata's. */
function eventObject(type: WatchEventType, bytes: Uint8Array, resource: string): RawObject {
  return rawObjectFromJson(bytes, type === "ERROR" ? "" : resource);
}

/**
 * Fast path for compact events in kube-apiserver's member order: the type is read in place and
 * the object spans from after `"object":` to the final `}`. Parsing that span proves it is
 * exactly the object (a value followed by more members would not parse). Undefined when the
 * frame does not have that shape.
 */
function compactEvent(frame: Uint8Array, resource: string): WatchEvent | undefined {
  const layout = compactLayout(frame);
  if (layout === undefined) return undefined;
  try {
    return { type: layout.type, object: eventObject(layout.type, layout.object, resource) };
  } catch {
    return undefined;
  }
}

/**
 * The type and object bytes of a frame laid out as a compact event, read without validating the
 * object; undefined when the frame does not start and end that way.
 */
function compactLayout(
  frame: Uint8Array,
): { type: WatchEventType; object: Uint8Array } | undefined {
  if (!startsWith(frame, TYPE_OPEN, 0) || frame[frame.length - 1] !== CLOSE_BRACE) return undefined;
  const typeEnd = frame.indexOf(QUOTE, TYPE_OPEN.length);
  if (typeEnd < 0 || !startsWith(frame, OBJECT_OPEN, typeEnd)) return undefined;
  const type = decoder.decode(frame.subarray(TYPE_OPEN.length, typeEnd));
  if (!EVENT_TYPES.has(type)) return undefined;
  const object = frame.subarray(typeEnd + OBJECT_OPEN.length, frame.length - 1);
  return { type: type as WatchEventType, object };
}

/** Any valid event: members located by a structural scan, in any order and spacing. */
function generalEvent(frame: Uint8Array, resource: string): WatchEvent {
  let type: unknown;
  let object: Uint8Array | undefined;
  for (const member of jsonObjectMembers(frame)) {
    const value = frame.subarray(member.start, member.end);
    if (member.key === "type") type = JSON.parse(decoder.decode(value));
    else if (member.key === "object") object = value;
  }
  const checked = checkType(type);
  if (object === undefined) throw badEvent(`${checked} event without an object`);
  return { type: checked, object: eventObject(checked, object, resource) };
}

/**
 * Decodes one framed watch event of `resource`. The object's `bytes` are a view of exactly the
 * `object` value in `frame`; its typeMeta is its own kind/apiVersion. Throws a SyntaxError or
 * TypeError on an invalid event (unknown type, missing or non-object `object`).
 */
export function decodeWatchEvent(frame: Uint8Array, resource: string): WatchEvent {
  return compactEvent(frame, resource) ?? generalEvent(frame, resource);
}

/**
 * Whether `text` may hold several values: a line holding several events has a `}` and then, after
 * any spaces, a `{` where the first ends, which valid JSON has nowhere else outside strings. Any
 * such `}…{` leaves `}{`, or a space, tab or CR just before a `{`, so four native substring
 * searches find every one; what else they find (a `{` after a space inside a string, or in a
 * spaced-out layout) is settled by the structural scan ({@link isOneValue}). A line without any
 * holds one value (or a value cut short, whose rest fails the stream on the next line, or a value
 * followed by a non-object, which is no event). In process, for a 9.9 KB captured pod's event
 * (20,000 lines): 2.2 µs, against 5.4 µs for the regular expression `/\}[ \t\r]*\{/` it replaces
 * (a JavaScript loop over every byte took 14 µs); decoding the line to text takes 1.1 µs more.
 */
function maybeSeveral(text: string): boolean {
  return text.includes("}{") || text.includes(" {") || text.includes("\t{") ||
    text.includes("\r{");
}

/** Whether `line` is exactly one JSON value, by the structural scan. */
function isOneValue(line: Uint8Array): boolean {
  const scanner = new JsonValueScanner(line.length);
  try {
    return scanner.scan(line, 0, 0) !== undefined && scanner.position === line.length;
  } catch {
    return false;
  }
}

/** Every event in `line`, by the structural scan: for a line that is not one compact event. */
function splitLine(line: Uint8Array, resource: string): WatchEvent[] {
  const events: WatchEvent[] = [];
  const splitter = new JsonValueSplitter(line.length);
  const decode = (frame: Uint8Array) => events.push(decodeWatchEvent(frame, resource));
  splitter.push(line, decode);
  splitter.end(decode);
  return events;
}

/**
 * A line (or a value the structural scan framed) laid out as a compact event but not decoded (see
 * the module doc).
 */
class LineEvent implements FramedEvent {
  #single: boolean | undefined;

  constructor(
    readonly type: WatchEventType,
    readonly key: string | undefined,
    readonly line: Uint8Array,
    /** The span of the line a compact event's object would be. */
    readonly object: Uint8Array,
    readonly resource: string,
    single?: true,
  ) {
    this.#single = single;
  }

  get size(): number {
    return this.line.length;
  }

  replaceable(): boolean {
    return this.#single ??= !maybeSeveral(decoder.decode(this.line)) || isOneValue(this.line);
  }

  decode(): WatchEvent[] {
    let events: WatchEvent[];
    try {
      events = [{ type: this.type, object: eventObject(this.type, this.object, this.resource) }];
    } catch {
      events = splitLine(this.line, this.resource); // not one compact event after all
    }
    const [first] = events;
    if (first?.type !== this.type || (this.key !== undefined && eventKey(first) !== this.key)) {
      throw badEvent("members repeated: the event is not the type and object it starts as");
    }
    return events;
  }
}

/**
 * A compact-looking line as a framed event, undecoded; undefined when it does not look so.
 * `single` when the line is known to be one value (the structural scan framed it).
 */
function lineEvent(line: Uint8Array, resource: string, single?: true): FramedEvent | undefined {
  const layout = compactLayout(line);
  if (layout === undefined) return undefined;
  const { type, object } = layout;
  return new LineEvent(type, peekObjectKey(object), line, object, resource, single);
}

/** Options of {@link JsonWatchDecoder} and {@link jsonWatchFramer}. */
export interface JsonWatchDecoderOptions {
  /** Largest event accepted; a larger one errors the stream. Default 16 MiB. */
  maxEventBytes?: number;
}

/**
 * The watch body transform the decoder and the framer share: `line` may take a line as one value (see
 * `JsonValueSplitter.push`), `value` gets every other value the splitter frames.
 */
function watchTransform<T>(
  options: JsonWatchDecoderOptions,
  line: (bytes: Uint8Array) => T | undefined,
  value: (frame: Uint8Array) => T,
): TransformStream<Uint8Array, T> {
  const splitter = new JsonValueSplitter(options.maxEventBytes ?? DEFAULT_MAX_VALUE_BYTES);
  const values = (emit: (event: T) => void) => (frame: Uint8Array) => emit(value(frame));
  const lines = (emit: (event: T) => void) => (bytes: Uint8Array) => {
    const event = line(bytes);
    if (event !== undefined) emit(event);
    return event !== undefined;
  };
  return orderedTransform({
    push: (chunk, emit) => splitter.push(chunk, values(emit), lines(emit)),
    drain: (emit) => splitter.drain(values(emit)),
    finish: (emit) => splitter.end(values(emit)),
  });
}

/**
 * Decodes a JSON watch stream cut at arbitrary chunk boundaries into {@link WatchEvent}s, several
 * per chunk or one across many; newlines between events are optional. The stream errors on a
 * malformed, unknown-typed or truncated event and on one larger than `maxEventBytes`, after every
 * event decoded before the fault (a body ending inside an event errors with `TruncatedBody`).
 *
 * @example
 * ```ts
 * import { JsonWatchDecoder } from "./watch_decoder.ts";
 *
 * const line = '{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{}}}\n';
 * const body = ReadableStream.from([new TextEncoder().encode(line)]);
 * const [event] = await Array.fromAsync(body.pipeThrough(new JsonWatchDecoder("pods")));
 * // event.type === "ADDED"; event.object.bytes are the bytes of the object value
 * ```
 */
export class JsonWatchDecoder implements TransformStream<Uint8Array, WatchEvent> {
  /** Where the watch body is written. */
  readonly writable: WritableStream<Uint8Array>;
  /** Where its events are read. */
  readonly readable: ReadableStream<WatchEvent>;

  /** Creates a decoder for watch events of `resource` (plural, used for selectable fields). */
  constructor(resource: string, options: JsonWatchDecoderOptions = {}) {
    ({ writable: this.writable, readable: this.readable } = watchTransform(
      options,
      (line) => compactEvent(line, resource),
      (frame) => decodeWatchEvent(frame, resource),
    ));
  }
}

/**
 * Frames a JSON watch stream as {@link JsonWatchDecoder} decodes it, into {@link FramedEvent}s:
 * compact lines undecoded, every other event decoded as it is framed (see the module doc). The
 * stream errors as the decoder's does, except that a compact line's own faults surface when it is
 * decoded.
 */
export function jsonWatchFramer(
  resource: string,
  options: JsonWatchDecoderOptions = {},
): TransformStream<Uint8Array, FramedEvent> {
  return watchTransform(
    options,
    (line) => lineEvent(line, resource),
    (frame) => lineEvent(frame, resource, true) ?? decodedFrame(decodeWatchEvent(frame, resource)),
  );
}
