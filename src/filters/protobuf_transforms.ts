/**
 * Filtering Kubernetes protobuf responses. A list's envelope states the list's length before its
 * items, so a list is held until complete (as YurtHub holds every filtered list), its items
 * filtered, and the list re-enveloped — or sent as received when no item changed. A watch is
 * filtered frame by frame as it streams (a dropped object becomes a `DELETED` event carrying the
 * original object; `BOOKMARK` and `ERROR` pass untouched); a single object once it is whole.
 * A body that cannot be decoded is sent as received.
 * @module
 */
import { decodeEnvelope, envelopeParts, requirePlain } from "../kube/protobuf/envelope.ts";
import { frameHeader, FrameSplitter } from "../kube/protobuf/frames.ts";
import { mapRepeated } from "../kube/protobuf/repeated.ts";
import { encodeWatchFrame, parseWatchEvent } from "../kube/protobuf/watch.ts";
import { concat } from "../streams/concat.ts";
import type { WatchEventType } from "../kube/types.ts";
import { wholeBodyTransform } from "./buffered.ts";
import { editProtobufObject, type PreparedFilter } from "./edit.ts";
import { type Edit, FILTERED_EVENT_TYPES } from "./filter.ts";

const LIST_ITEMS = 2;

/** Filters the items of a whole protobuf list body; gives the pieces of the body to send. */
export async function filterProtobufList(
  filters: readonly PreparedFilter[],
  body: Uint8Array,
): Promise<Uint8Array[]> {
  let envelope;
  const items: Uint8Array[] = [];
  try {
    envelope = requirePlain(decodeEnvelope(body));
    mapRepeated(envelope.raw, LIST_ITEMS, (item) => void items.push(item));
  } catch {
    return [body];
  }
  const edits: Edit<Uint8Array>[] = [];
  for (const item of items) edits.push(await editProtobufObject(filters, item));
  if (edits.every((edit) => edit === undefined)) return [body];
  let next = 0;
  const raw = mapRepeated(envelope.raw, LIST_ITEMS, () => edits[next++])!;
  return envelopeParts(envelope, raw, envelope.contentEncoding, envelope.contentType);
}

/** Filters a protobuf list body once it is whole. */
export function protobufListTransform(
  filters: readonly PreparedFilter[],
): TransformStream<Uint8Array, Uint8Array> {
  return wholeBodyTransform((body) => filterProtobufList(filters, body));
}

/** Filters a single protobuf object once the body is whole; one a filter drops is sent as is. */
export function protobufObjectTransform(
  filters: readonly PreparedFilter[],
): TransformStream<Uint8Array, Uint8Array> {
  return wholeBodyTransform(async (body) => {
    try {
      const envelope = requirePlain(decodeEnvelope(body));
      const edit = await editProtobufObject(filters, envelope.raw);
      return edit ? envelopeParts(envelope, edit) : [body];
    } catch {
      return [body];
    }
  });
}

/** The bytes to send for one watch frame (its length prefix included). */
async function filterFrame(
  filters: readonly PreparedFilter[],
  frame: Uint8Array,
): Promise<Uint8Array[]> {
  const unchanged = [frameHeader(frame.length), frame];
  try {
    const { type, raw } = parseWatchEvent(frame);
    if (!FILTERED_EVENT_TYPES.has(type)) return unchanged;
    const envelope = requirePlain(decodeEnvelope(raw));
    const edit = await editProtobufObject(filters, envelope.raw);
    if (edit === undefined) return unchanged;
    if (edit === null) return [encodeWatchFrame("DELETED", envelope, envelope.raw)];
    return [encodeWatchFrame(type as WatchEventType, envelope, edit)];
  } catch {
    return unchanged;
  }
}

/** Filters the objects of a protobuf watch stream, frame by frame. */
export function protobufWatchTransform(
  filters: readonly PreparedFilter[],
): TransformStream<Uint8Array, Uint8Array> {
  const splitter = new FrameSplitter();
  return new TransformStream({
    async transform(chunk, controller) {
      const frames: Uint8Array[] = [];
      splitter.push(chunk, (frame) => frames.push(frame));
      if (frames.length === 0) return;
      const out: Uint8Array[] = [];
      for (const frame of frames) out.push(...await filterFrame(filters, frame));
      controller.enqueue(concat(out));
    },
    flush() {
      splitter.finish();
    },
  });
}
