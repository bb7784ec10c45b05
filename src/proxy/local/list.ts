/**
 * Offline LIST: answered from a complete snapshot of the same query (or one covering it), with
 * the request's selectors evaluated locally, the snapshot's resourceVersion, and `limit`/`continue`
 * pagination over holdfast's own tokens. The body streams out of the codec's list encoder; the
 * snapshot is read from the hot snapshots in memory as a plain array, or else with one KV list
 * iteration.
 * @module
 */
import { isNewer } from "../../kube/resource_version.ts";
import { expired, failure, type Status } from "../../kube/status.ts";
import type { ListMeta, RawObject } from "../../kube/types.ts";
import type { QueryIdentity, QueryRecord } from "../../cache/query.ts";
import { SnapshotGone } from "../../cache/store.ts";
import { chunkStream } from "../../streams/chunk_stream.ts";
import type { ResourceList } from "../classify.ts";
import { contentTypeOf } from "./accept.ts";
import { decodeContinue, encodeContinue } from "./continue_token.ts";
import type { LocalContext } from "./context.ts";
import { listTypeOf } from "./kinds.ts";
import { statusReply, unavailableReply } from "./reply.ts";
import { chooseSnapshotAt, selectionFilter } from "./snapshot.ts";
import { storedTable } from "./table.ts";

/** 504 Timeout for a resourceVersion newer than the cache has, as kube-apiserver words it. */
export function tooLargeResourceVersion(requested: string, current: string): Status {
  return failure(504, "Timeout", `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
    retryAfterSeconds: 1,
  });
}

const EXPIRED_CONTINUE = "The provided continue parameter is too old to display a consistent " +
  "list result. You can start a new list without the continue parameter.";

/** Answers a list request from the cache. */
export async function answerList(
  context: LocalContext,
  request: Request,
  classified: ResourceList,
): Promise<Response> {
  const table = await storedTable(context, classified);
  if (table) return table;
  const query = classified.query;
  if (!query) {
    return unavailableReply(request, "this component's lists are not cached", context.retryAfter);
  }
  try {
    return await listOnce(context, request, classified, query);
  } catch (error) {
    // The snapshot was replaced (a new listing came in) between choosing and reading it.
    if (!(error instanceof SnapshotGone)) throw error;
    return await listOnce(context, request, classified, query);
  }
}

async function listOnce(
  context: LocalContext,
  request: Request,
  classified: ResourceList,
  query: QueryIdentity,
): Promise<Response> {
  const options = classified.listOptions;
  const chosen = await chooseSnapshotAt(
    context.store,
    query,
    request.headers.get("accept"),
    context.retryAfter,
    options.resourceVersion,
    context.catchUpMs,
  );
  if ("kind" in chosen) return statusReply(request, chosen);
  const { record, codec } = chosen;

  let offset = 0;
  if (options.continue !== "") {
    const token = decodeContinue(options.continue);
    if (
      !token || token.queryId !== record.id || token.generation !== record.generation ||
      token.resourceVersion !== record.resourceVersion
    ) return statusReply(request, expired(EXPIRED_CONTINUE));
    offset = token.offset;
  } else {
    const refused = checkResourceVersion(
      options.resourceVersion,
      options.resourceVersionMatch,
      record,
    );
    if (refused) return statusReply(request, refused);
  }

  const selected = selectionFilter(record, query, {
    namespace: classified.info.namespace,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  });
  const items: RawObject[] = [];
  let skipped = 0;
  let more = false;
  /** Takes `object` into the page when selected; false once the page is full. */
  const take = (object: RawObject): boolean => {
    if (!selected(object)) return true;
    if (skipped < offset) {
      skipped++;
      return true;
    }
    if (options.limit > 0 && items.length === options.limit) {
      more = true;
      return false;
    }
    items.push(object);
    return true;
  };
  // A hot snapshot is read as a plain array (no await per object); otherwise from KV.
  const held = context.store.heldObjects(record);
  if (held) {
    for (const object of held) if (!take(object)) break;
  } else {
    for await (const object of context.store.listObjects(record)) if (!take(object)) break;
  }

  const meta: ListMeta = {
    ...listTypeOf(record, items[0]),
    resourceVersion: record.resourceVersion,
    continue: more
      ? encodeContinue({
        queryId: record.id,
        generation: record.generation,
        resourceVersion: record.resourceVersion,
        offset: offset + items.length,
      })
      : "",
  };
  const headers = new Headers({
    "content-type": contentTypeOf(codec.mediaType, record.transform),
    "cache-control": "no-cache",
  });
  return new Response(chunkStream(codec.encodeList(meta, items)), { status: 200, headers });
}

/**
 * Why a list at `resourceVersion` (with `match`) cannot be answered from a snapshot at
 * `record.resourceVersion`: 410 for an exact version the cache no longer has, 504 for a version
 * newer than the cache's; undefined when it can.
 */
function checkResourceVersion(
  resourceVersion: string,
  match: string,
  record: QueryRecord,
): Status | undefined {
  const current = record.resourceVersion;
  if (resourceVersion === "" || resourceVersion === "0" || resourceVersion === current) {
    return undefined;
  }
  if (isNewer(resourceVersion, current)) return tooLargeResourceVersion(resourceVersion, current);
  if (match === "Exact") {
    return expired(`too old resource version: ${resourceVersion} (${current})`);
  }
  return undefined;
}
