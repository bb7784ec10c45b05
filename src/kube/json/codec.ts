/**
 * The JSON wire format (`application/json`) as kube-apiserver writes it: compact JSON in Go's
 * field order with Go's HTML-safe escaping, a newline after every body and every watch event.
 * Cached object bytes are spliced in as they are, never re-serialised. Pure: no I/O.
 * @module
 */
import { ChunkFiller } from "../../streams/chunk_filler.ts";
import { concat } from "../../streams/concat.ts";
import type { WireCodec } from "../codec.ts";
import type { Status } from "../status.ts";
import type { ListMeta, RawObject, WatchEventType } from "../types.ts";
import { jsonBookmark, jsonValues, setJsonMetadata } from "./edits.ts";
import { JsonListDecoder } from "./list_decoder.ts";
import { peekObjectVersion } from "./object_key.ts";
import { leadingTypeMetaOf, rawObjectFromJson, withTypeMeta } from "./object.ts";
import { JsonWatchDecoder, jsonWatchFramer } from "./watch_decoder.ts";

const encoder = new TextEncoder();

/** Size of the chunks `encodeList` yields (all but the last). */
export const LIST_CHUNK_BYTES = 64 * 1024;

const NEWLINE = new Uint8Array([0x0a]);
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const LIST_TAIL = encoder.encode("]}\n");
const EVENT_TAIL = encoder.encode("}\n");

/** JSON.stringify plus the escapes Go's encoder adds (`<`, `>`, `&`, U+2028, U+2029). */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `{"kind":…,"apiVersion":…,"metadata":{…},"items":[` in kube-apiserver's order. */
function listHead(meta: ListMeta): Uint8Array {
  const metadata: Record<string, unknown> = {};
  if (meta.resourceVersion) metadata.resourceVersion = meta.resourceVersion;
  if (meta.continue) metadata.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) {
    metadata.remainingItemCount = meta.remainingItemCount;
  }
  return encoder.encode(
    `{"kind":${goJson(meta.kind)},"apiVersion":${goJson(meta.apiVersion)},"metadata":${
      goJson(metadata)
    },"items":[`,
  );
}

/**
 * The list body in fresh `LIST_CHUNK_BYTES` chunks. Items are written as kube-apiserver writes
 * them in a typed list: without kind/apiVersion when those open the object in Go's order and equal
 * the list's (objects cached from watch events carry them). Custom resources keep theirs (their
 * keys are sorted, apiVersion first), as apiserver does. Each item is copied once, straight into
 * the chunk; the generator resumes once per chunk.
 */
function* encodeList(meta: ListMeta, items: Iterable<RawObject>): Generator<Uint8Array> {
  const skipTypeMeta = leadingTypeMetaOf({
    kind: meta.kind.endsWith("List") ? meta.kind.slice(0, -4) : meta.kind,
    apiVersion: meta.apiVersion,
  });
  const out = new ChunkFiller(LIST_CHUNK_BYTES);
  out.write(listHead(meta));
  let first = true;
  for (const item of items) {
    if (!first) out.byte(COMMA);
    first = false;
    const skip = skipTypeMeta(item.bytes);
    if (skip > 0) {
      out.byte(OPEN_BRACE);
      out.write(item.bytes.subarray(1 + skip));
    } else {
      out.write(item.bytes);
    }
    if (out.hasFull) yield* out.take();
  }
  out.write(LIST_TAIL);
  yield* out.end();
}

/** A Status in Go's field order, empty fields omitted as `omitempty` does. */
function statusJson(status: Status): string {
  const ordered: Record<string, unknown> = {
    kind: status.kind,
    apiVersion: status.apiVersion,
    metadata: {},
  };
  if (status.status) ordered.status = status.status;
  if (status.message) ordered.message = status.message;
  if (status.reason) ordered.reason = status.reason;
  if (status.details) {
    const d = status.details;
    const details: Record<string, unknown> = {};
    if (d.name) details.name = d.name;
    if (d.group) details.group = d.group;
    if (d.kind) details.kind = d.kind;
    if (d.uid) details.uid = d.uid;
    if (d.causes?.length) {
      details.causes = d.causes.map((c) => {
        const cause: Record<string, string> = {};
        if (c.reason) cause.reason = c.reason;
        if (c.message) cause.message = c.message;
        if (c.field) cause.field = c.field;
        return cause;
      });
    }
    if (d.retryAfterSeconds) details.retryAfterSeconds = d.retryAfterSeconds;
    ordered.details = details;
  }
  if (status.code) ordered.code = status.code;
  return goJson(ordered);
}

/**
 * The JSON {@link WireCodec}. Encoded output never aliases the input objects' bytes (every chunk
 * is a fresh buffer), so it is safe to hand to byte streams that transfer buffers.
 */
export const jsonCodec: WireCodec = {
  mediaType: "application/json",
  watchContentType: "application/json",
  listDecoder: (resource) => new JsonListDecoder(resource),
  watchDecoder: (resource) => new JsonWatchDecoder(resource),
  watchFramer: (resource) => jsonWatchFramer(resource),
  decodeObject: (body, resource) => rawObjectFromJson(body, resource),
  peekObject: peekObjectVersion,
  encodeObject: (object) => concat([...withTypeMeta(object.bytes, object.typeMeta), NEWLINE]),
  encodeList,
  encodeWatchEvent(type: WatchEventType, object: RawObject): Uint8Array {
    const head = encoder.encode(`{"type":${goJson(type)},"object":`);
    return concat([head, ...withTypeMeta(object.bytes, object.typeMeta), EVENT_TAIL]);
  },
  encodeStatus: (status) => encoder.encode(statusJson(status) + "\n"),
  bookmark: jsonBookmark,
  setMetadata: setJsonMetadata,
  values: jsonValues,
};
