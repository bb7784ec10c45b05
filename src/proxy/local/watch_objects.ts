/**
 * The objects an offline watch sends besides cached ones: BOOKMARK objects (the watched kind with
 * only `metadata.resourceVersion`, and the `k8s.io/initial-events-end` annotation that closes a
 * watch-list's initial events) and the `Status` of an ERROR event, in the watch's wire format.
 * @module
 */
import type { WireCodec } from "../../kube/codec.ts";
import { isJson } from "../../kube/media_type.ts";
import { concat } from "../../streams/concat.ts";
import { messageField, stringField } from "../../kube/protobuf/wire.ts";
import type { Status } from "../../kube/status.ts";
import type { RawObject } from "../../kube/types.ts";
import type { TypeMeta } from "./kinds.ts";

/** The annotation marking the bookmark that ends a watch-list's initial events. */
export const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

const encoder = new TextEncoder();

/** A bookmark object of type `typeMeta` at `resourceVersion`, encoded for `mediaType`. */
export function bookmarkObject(
  mediaType: string,
  typeMeta: TypeMeta,
  resourceVersion: string,
  initialEventsEnd: boolean,
): RawObject {
  const annotations: Record<string, string> = initialEventsEnd
    ? { [INITIAL_EVENTS_END]: "true" }
    : {};
  let bytes: Uint8Array;
  if (isJson(mediaType)) {
    const metadata = initialEventsEnd ? { resourceVersion, annotations } : { resourceVersion };
    bytes = encoder.encode(JSON.stringify({ ...typeMeta, metadata }));
  } else {
    // ObjectMeta is field 1 of every object; in it resourceVersion is 6, annotations 12.
    const meta = [stringField(6, resourceVersion)];
    for (const [key, value] of Object.entries(annotations)) {
      meta.push(messageField(12, concat([stringField(1, key), stringField(2, value)])));
    }
    bytes = messageField(1, concat(meta));
  }
  return {
    meta: { name: "", namespace: "", resourceVersion, uid: "", labels: {} },
    fields: {},
    typeMeta: { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind },
    bytes,
  };
}

/** `status` as the object of an ERROR event in `codec`'s format. */
export function statusObject(codec: WireCodec, status: Status): RawObject {
  return codec.decodeObject(codec.encodeStatus(status), "status");
}
