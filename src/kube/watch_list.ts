/**
 * What the wire formats share about watch bookmarks: the annotation that ends a watch-list's
 * initial events, recognising it in a received bookmark, and the `RawObject` around a bookmark
 * a codec encodes. Pure: no I/O.
 * @module
 */
import type { RawObject } from "./types.ts";

/** The annotation marking the bookmark that ends a watch-list's initial events. */
export const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

const END_BYTES = new TextEncoder().encode(INITIAL_EVENTS_END);

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  const last = haystack.byteLength - needle.byteLength;
  for (let i = haystack.indexOf(first); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.byteLength && haystack[i + j] === needle[j]) j++;
    if (j === needle.byteLength) return true;
  }
  return false;
}

/**
 * Whether a BOOKMARK's object carries the {@link INITIAL_EVENTS_END} annotation. A bookmark holds
 * nothing but its resourceVersion and annotations, and the key's text is spelt out as it is in
 * both JSON and protobuf, so finding it in the bytes is enough.
 */
export function endsInitialEvents(object: RawObject): boolean {
  return contains(object.bytes, END_BYTES);
}

/** The annotations of a bookmark: the end marker, or none. */
export function bookmarkAnnotations(initialEventsEnd: boolean): Record<string, string> {
  return initialEventsEnd ? { [INITIAL_EVENTS_END]: "true" } : {};
}

/** A bookmark object of type `typeMeta` at `resourceVersion`, its encoding being `bytes`. */
export function bookmarkRawObject(
  typeMeta: RawObject["typeMeta"],
  resourceVersion: string,
  bytes: Uint8Array,
): RawObject {
  return {
    meta: { name: "", namespace: "", resourceVersion, uid: "", labels: {} },
    fields: {},
    typeMeta: { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind },
    bytes,
  };
}
