/**
 * Offline event creates (core `v1` and `events.k8s.io`): queued in KV for delivery when the cloud
 * is back, and answered 201 with the event as sent, as kube-apiserver echoes a created object. A
 * body that is not an object in a format kube-apiserver reads is refused, never queued.
 * Queued events are delivered as the node, so only requests that act as the node (no credential
 * of their own) are queued: a client with its own bearer token gets 503, since holdfast keeps no
 * client tokens and must not lend it the node's identity later.
 * @module
 */
import { MAX_EVENT_BYTES } from "../../node/event_queue.ts";
import type { RequestInfo } from "../../kube/request_info.ts";
import { notAcceptable, serviceUnavailable, tooLarge } from "../../kube/status.ts";
import type { ResourceWrite } from "../classify.ts";
import { acceptRank, essenceOf } from "./accept.ts";
import type { LocalContext } from "./context.ts";
import { statusReply } from "./reply.ts";
import { readRequestObject } from "./request_object.ts";

/** Whether the request creates an event. */
export function isEventCreate(info: RequestInfo): boolean {
  return info.verb === "create" && info.resource === "events" && info.subresource === "" &&
    (info.apiGroup === "" || info.apiGroup === "events.k8s.io");
}

/** Queues the event create `body` and answers 201 with it. */
export async function answerEventCreate(
  context: LocalContext,
  request: Request,
  classified: ResourceWrite,
  body: Uint8Array,
): Promise<Response> {
  if (request.headers.has("authorization")) {
    const why = "an event created with the client's own credential cannot be queued while the " +
      "cloud is unreachable: it would be delivered later as the node";
    return statusReply(request, serviceUnavailable(why, context.retryAfter));
  }
  const read = readRequestObject(request, body, "events", context.retryAfter);
  if ("code" in read) return statusReply(request, read);
  const contentType = request.headers.get("content-type") ?? "application/json";
  if (acceptRank(request.headers.get("accept"), contentType, "") < 0) {
    return statusReply(request, notAcceptable(essenceOf(contentType)));
  }
  if (body.byteLength > MAX_EVENT_BYTES) {
    return statusReply(request, tooLarge(`event larger than ${MAX_EVENT_BYTES} bytes`));
  }
  const { url } = classified;
  await context.events.enqueue({
    path: url.pathname + url.search,
    contentType,
    userAgent: request.headers.get("user-agent") ?? "",
    body,
    queuedAt: Date.now(),
  });
  const headers = new Headers({ "content-type": contentType, "cache-control": "no-cache" });
  return new Response(body as Uint8Array<ArrayBuffer>, { status: 201, headers });
}
