/**
 * Filtering JSON responses as they stream: a list's items one by one (the bytes around them and
 * every item no filter touches pass on as received), a watch's events one by one (an event whose
 * object a filter drops becomes a `DELETED` event carrying the original object, so clients
 * forget it; `BOOKMARK` and `ERROR` pass untouched), and a single object once it is whole.
 * @module
 */
import { JsonListItemSplitter, type ListSegment } from "../kube/json/list_items.ts";
import { JsonValueSplitter } from "../kube/json/value_framer.ts";
import { concat } from "../streams/concat.ts";
import { wholeBodyTransform } from "./buffered.ts";
import { editJsonObject, type PreparedFilter } from "./edit.ts";
import { FILTERED_EVENT_TYPES, type JsonObject, objectAt } from "./filter.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const COMMA = Uint8Array.of(0x2c);
const NEWLINE = Uint8Array.of(0x0a);

function parseJson(bytes: Uint8Array): JsonObject {
  const value = JSON.parse(decoder.decode(bytes));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError("not a JSON object");
  }
  return value;
}

function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Filters the items of a JSON list body. */
export function jsonListTransform(
  filters: readonly PreparedFilter[],
): TransformStream<Uint8Array, Uint8Array> {
  const splitter = new JsonListItemSplitter();
  let kept = 0;
  return new TransformStream({
    async transform(chunk, controller) {
      const segments: ListSegment[] = [];
      splitter.push(chunk, (segment) => segments.push(segment));
      const out: Uint8Array[] = [];
      for (const segment of segments) {
        if (segment.type === "raw") {
          out.push(segment.bytes);
          continue;
        }
        const item = segment.bytes;
        const edit = await editJsonObject(filters, item, () => parseJson(item));
        if (edit === null) continue;
        if (kept++ > 0) out.push(COMMA);
        out.push(edit === undefined ? item : encodeJson(edit));
      }
      if (out.length > 0) controller.enqueue(concat(out));
    },
    flush() {
      splitter.end();
    },
  });
}

/** The bytes to send for one JSON watch event. */
async function filterJsonEvent(
  filters: readonly PreparedFilter[],
  bytes: Uint8Array,
): Promise<Uint8Array> {
  let event: JsonObject = {};
  const edit = await editJsonObject(filters, bytes, () => {
    event = parseJson(bytes);
    if (!FILTERED_EVENT_TYPES.has(event.type as string)) throw new TypeError("not filtered");
    return objectAt(event, "object");
  });
  if (edit === undefined) return concat([bytes, NEWLINE]);
  const object = edit === null ? parseJson(bytes).object : edit;
  return concat([
    encodeJson({ type: edit === null ? "DELETED" : event.type, object }),
    NEWLINE,
  ]);
}

/** Filters the objects of a JSON watch stream, event by event. */
export function jsonWatchTransform(
  filters: readonly PreparedFilter[],
): TransformStream<Uint8Array, Uint8Array> {
  const splitter = new JsonValueSplitter();
  const send = async (
    events: Uint8Array[],
    controller: TransformStreamDefaultController<Uint8Array>,
  ) => {
    if (events.length === 0) return;
    const out: Uint8Array[] = [];
    for (const event of events) out.push(await filterJsonEvent(filters, event));
    controller.enqueue(concat(out));
  };
  return new TransformStream({
    async transform(chunk, controller) {
      const events: Uint8Array[] = [];
      splitter.push(chunk, (event) => events.push(event));
      await send(events, controller);
    },
    async flush(controller) {
      const events: Uint8Array[] = [];
      splitter.end((event) => events.push(event));
      await send(events, controller);
    },
  });
}

/** Filters a single JSON object once the body is whole; one a filter drops is sent unchanged. */
export function jsonObjectTransform(
  filters: readonly PreparedFilter[],
): TransformStream<Uint8Array, Uint8Array> {
  return wholeBodyTransform(async (body) => {
    const edit = await editJsonObject(filters, body, () => parseJson(body));
    return [edit ? encodeJson(edit) : body];
  });
}
