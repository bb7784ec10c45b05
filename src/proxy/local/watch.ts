/**
 * Offline WATCH. The response (200, headers flushed) is returned at once; its body then carries:
 *
 * - `sendInitialEvents=true`: ADDED for every selected cached object, then a BOOKMARK annotated
 *   `k8s.io/initial-events-end: "true"` at the snapshot's resourceVersion (watch-list);
 * - resourceVersion ""/"0": ADDED for every selected cached object (none with an explicit
 *   `sendInitialEvents=false`);
 * - an older resourceVersion: what the client missed — objects changed since as MODIFIED,
 *   deletions from the tombstones as DELETED — or, when the tombstones do not reach back that far,
 *   one ERROR event with 410 Expired, after which the stream ends and the client re-lists;
 * - then, with `allowWatchBookmarks`, a BOOKMARK every interval at the snapshot's resourceVersion.
 *
 * The stream ends cleanly at `timeoutSeconds` (a randomised server default when absent), when the
 * cloud is back (so the client re-watches through it), or when the client goes away.
 * @module
 */
import type { QueryRecord } from "../../cache/query.ts";
import type { WireCodec } from "../../kube/codec.ts";
import { compareResourceVersions, isNewer } from "../../kube/resource_version.ts";
import { expired } from "../../kube/status.ts";
import { ChunkBuffer } from "../../streams/chunk_buffer.ts";
import type { RawObject, WatchEventType } from "../../kube/types.ts";
import type { ResourceList } from "../classify.ts";
import type { ListOptions } from "../../kube/list_options.ts";
import type { LocalContext } from "./context.ts";
import { itemTypeOf } from "./kinds.ts";
import { tooLargeResourceVersion } from "./list.ts";
import { statusReply, unavailableReply } from "./reply.ts";
import { chooseSnapshotAt, isBehind, selectionFilter } from "./snapshot.ts";
import { statusObject } from "./watch_objects.ts";

/** Watch events are gathered into chunks of about this size before they are sent. */
export const WATCH_CHUNK_BYTES = 64 * 1024;

/** How the stream starts. */
type Start =
  | { kind: "initial"; endMarker: boolean }
  | { kind: "resume"; since: string }
  | { kind: "expired"; since: string };

/** Answers a watch request from the cache. */
export async function answerWatch(
  context: LocalContext,
  request: Request,
  classified: ResourceList,
): Promise<Response> {
  const options = classified.listOptions;
  const query = classified.query;
  if (!query) {
    return unavailableReply(request, "this component's watches are not cached", context.retryAfter);
  }
  const rv = options.resourceVersion;
  const chosen = await chooseSnapshotAt(
    context.store,
    query,
    request.headers.get("accept"),
    context.retryAfter,
    rv,
    context.catchUpMs,
  );
  if ("kind" in chosen) return statusReply(request, chosen);
  const { record, codec } = chosen;
  if (isBehind(record, rv)) {
    return statusReply(request, tooLargeResourceVersion(rv, record.resourceVersion));
  }
  const start = startOf(options, record);
  const selected = selectionFilter(record, query, {
    namespace: classified.info.namespace,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  });

  const stop = new AbortController();
  const deadline = Date.now() + timeoutMs(context, options);
  const events = watchEvents(context, record, codec, start, selected, {
    bookmarks: options.allowWatchBookmarks,
    deadline,
    signals: [request.signal, stop.signal, context.cloud.back],
  });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await events.next();
      if (stop.signal.aborted) return;
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      stop.abort();
      await events.return(undefined);
    },
  }, { highWaterMark: 0 });
  const headers = new Headers({
    "content-type": codec.watchContentType,
    "cache-control": "no-cache",
  });
  return new Response(body, { status: 200, headers });
}

function startOf(options: ListOptions, record: QueryRecord): Start {
  const rv = options.resourceVersion;
  if (options.sendInitialEvents === true) return { kind: "initial", endMarker: true };
  if (rv === "" || rv === "0") {
    // An explicit sendInitialEvents=false starts at the current state without initial events.
    if (options.sendInitialEvents === false) {
      return { kind: "resume", since: record.resourceVersion };
    }
    return { kind: "initial", endMarker: false };
  }
  if (rv === record.resourceVersion) return { kind: "resume", since: rv };
  const history = record.historyFrom;
  if (history === "" || compareResourceVersions(rv, history) < 0) {
    return { kind: "expired", since: rv };
  }
  return { kind: "resume", since: rv };
}

/** Milliseconds until the watch ends on its own. */
function timeoutMs(context: LocalContext, options: ListOptions): number {
  const requested = options.timeoutSeconds;
  let ms = requested !== undefined && requested !== 0
    ? Math.max(requested, 0) * 1000
    : context.minWatchTimeoutSeconds * 1000 * (1 + Math.random());
  if (context.cloud.online) ms = Math.min(ms, context.onlineRecheckMs);
  return ms;
}

interface Pacing {
  bookmarks: boolean;
  deadline: number;
  signals: AbortSignal[];
}

async function* watchEvents(
  context: LocalContext,
  record: QueryRecord,
  codec: WireCodec,
  start: Start,
  selected: (object: RawObject) => boolean,
  pacing: Pacing,
): AsyncGenerator<Uint8Array> {
  const out = new ChunkBuffer(WATCH_CHUNK_BYTES);
  let sample: RawObject | undefined;
  if (start.kind === "expired") {
    const status = expired(
      `too old resource version: ${start.since} (${record.historyFrom || record.resourceVersion})`,
    );
    yield codec.encodeWatchEvent("ERROR", statusObject(codec, status));
    return;
  }
  if (start.kind === "initial") {
    for await (const object of context.store.listObjects(record)) {
      if (!selected(object)) continue;
      sample ??= object;
      const full = out.push(codec.encodeWatchEvent("ADDED", object));
      if (full) yield full;
    }
    if (start.endMarker) {
      const end = codec.bookmark(itemTypeOf(record, sample), record.resourceVersion, true);
      out.push(codec.encodeWatchEvent("BOOKMARK", end));
    }
  } else if (start.since !== record.resourceVersion) {
    for (const [type, object] of await missedChanges(context, record, start.since, selected)) {
      sample ??= object;
      const full = out.push(codec.encodeWatchEvent(type, object));
      if (full) yield full;
    }
  }
  const rest = out.flush();
  if (rest) yield rest;

  const bookmark = pacing.bookmarks
    ? codec.encodeWatchEvent(
      "BOOKMARK",
      codec.bookmark(itemTypeOf(record, sample), record.resourceVersion, false),
    )
    : undefined;
  for (;;) {
    const now = Date.now();
    if (now >= pacing.deadline || pacing.signals.some((s) => s.aborted)) return;
    const wake = bookmark
      ? Math.min(pacing.deadline, now + context.bookmarkIntervalMs)
      : pacing.deadline;
    await sleep(wake - now, pacing.signals);
    if (Date.now() >= pacing.deadline || pacing.signals.some((s) => s.aborted)) return;
    if (bookmark) yield bookmark;
  }
}

/** Changes after `since`: selected objects newer than it, and tombstones, oldest first. */
async function missedChanges(
  context: LocalContext,
  record: QueryRecord,
  since: string,
  selected: (object: RawObject) => boolean,
): Promise<[WatchEventType, RawObject][]> {
  const changes: [WatchEventType, RawObject][] = [];
  for await (const object of context.store.listObjects(record)) {
    if (selected(object) && isNewer(object.meta.resourceVersion, since)) {
      changes.push(["MODIFIED", object]);
    }
  }
  for (const tombstone of await context.store.tombstonesSince(record, since)) {
    if (selected(tombstone)) changes.push(["DELETED", tombstone]);
  }
  return changes.sort((a, b) =>
    compareResourceVersions(a[1].meta.resourceVersion, b[1].meta.resourceVersion)
  );
}

/** Resolves after `ms`, or as soon as one of `signals` aborts; leaves no timer behind. */
function sleep(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of signals) signal.addEventListener("abort", done, { once: true });
  });
}
