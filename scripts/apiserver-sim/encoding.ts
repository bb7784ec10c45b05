/**
 * How the simulator turns stored objects into response bytes. The serving code only talks to a
 * {@link ServingCodec} chosen per request: JSON (here) or Kubernetes protobuf (`protobuf.ts`).
 * JSON output follows kube-apiserver: single objects and watch event objects carry
 * `kind`/`apiVersion`, items of built-in lists do not (custom resources do), watch events are
 * `{"type":…,"object":…}` lines, and large lists are sent in ~64 KiB chunks.
 * @module
 */
import { JSON_MEDIA } from "../../src/kube/media_type.ts";
import type { Json } from "./fixtures.ts";
import type { ResourceType } from "./resources.ts";
import { Entry } from "./store.ts";

/** List metadata as sent (`ListMeta`). */
export interface ListMetaJson {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** One wire format for the simulator's answers. */
export interface ServingCodec {
  /** Content-Type of objects, lists and errors. */
  readonly mediaType: string;
  /** Content-Type of watch streams. */
  readonly watchContentType: string;
  /** A stored object, as a GET/PUT/PATCH answer. */
  object(entry: Entry): Uint8Array;
  /** A `Status` (given in its JSON form, e.g. a Success without code), as a whole body. */
  status(status: Json): Uint8Array;
  /** A list of `type` in chunks of about `CHUNK_SIZE` bytes. */
  list(type: ResourceType, meta: ListMetaJson, items: readonly Entry[]): Iterable<Uint8Array>;
  /** One watch event frame; `object` is a stored object or any other value. */
  watchEvent(type: string, object: Entry | Json): Uint8Array;
}

/** The size the list encoder aims for per chunk. */
export const CHUNK_SIZE = 64 * 1024;

const encoder = new TextEncoder();
const prefixes = new WeakMap<ResourceType, Uint8Array>();

/** `{"kind":"K","apiVersion":"V",` — the bytes a built-in object starts with. */
function typePrefix(type: ResourceType): Uint8Array {
  let prefix = prefixes.get(type);
  if (!prefix) {
    prefix = encoder.encode(
      `{"kind":${JSON.stringify(type.kind)},"apiVersion":${JSON.stringify(type.groupVersion)},`,
    );
    prefixes.set(type, prefix);
  }
  return prefix;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

const OPEN = encoder.encode("{");
const COMMA = encoder.encode(",");
const LIST_END = encoder.encode("]}");
const EVENT_END = encoder.encode("}\n");

/** Concatenates parts into chunks of about `CHUNK_SIZE` bytes. */
class Chunker {
  #parts: Uint8Array[] = [];
  #size = 0;

  /** Adds a part; returns a full chunk when one is ready. */
  add(part: Uint8Array): Uint8Array | undefined {
    this.#parts.push(part);
    this.#size += part.length;
    return this.#size >= CHUNK_SIZE ? this.flush() : undefined;
  }

  /** The parts added so far as one chunk. */
  flush(): Uint8Array {
    const chunk = concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    return chunk;
  }
}

/** Joins `parts` (of total length `size`) into one array. */
export function concat(parts: readonly Uint8Array[], size?: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size ?? parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The JSON codec. */
export const jsonServingCodec: ServingCodec = {
  mediaType: JSON_MEDIA,
  watchContentType: JSON_MEDIA,
  object: (entry) => entry.json,
  status: (status) => encoder.encode(JSON.stringify(status)),
  *list(type, meta, items) {
    const chunker = new Chunker();
    chunker.add(encoder.encode(
      `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${
        JSON.stringify(type.groupVersion)
      },"metadata":${JSON.stringify(meta)},"items":[`,
    ));
    const prefix = typePrefix(type);
    let first = true;
    for (const entry of items) {
      if (!first) chunker.add(COMMA);
      first = false;
      const json = entry.json;
      let full: Uint8Array | undefined;
      if (!type.custom && startsWith(json, prefix)) {
        chunker.add(OPEN);
        full = chunker.add(json.subarray(prefix.length));
      } else full = chunker.add(json);
      if (full) yield full;
    }
    chunker.add(LIST_END);
    yield chunker.flush();
  },
  watchEvent(type, object) {
    const head = encoder.encode(`{"type":"${type}","object":`);
    const body = object instanceof Entry ? object.json : encoder.encode(JSON.stringify(object));
    return concat([head, body, EVENT_END]);
  },
};
