/**
 * Offline writes. Only what can be answered honestly is answered: kubelet's node lease
 * (create/update), node and pod status patches, event creates (queued for the cloud), and node
 * registration and mirror-pod creates (201, or 409 AlreadyExists when the cache has the object,
 * which is what kubelet expects). Everything else — deletes, token requests, other creates,
 * updates and patches — gets 503 with Retry-After, never a forged answer.
 * @module
 */
import { gvrOf } from "../../cache/query.ts";
import { alreadyExists, tooLarge } from "../../kube/status.ts";
import { readAll } from "../../streams/read_all.ts";
import type { ResourceWrite, WithQuery } from "../classify.ts";
import type { LocalContext } from "./context.ts";
import { answerEventCreate, isEventCreate } from "./events.ts";
import { answerLeaseWrite, isNodeLease } from "./leases.ts";
import { objectReply, statusReply, unavailableReply } from "./reply.ts";
import { readRequestObject } from "./request_object.ts";
import { answerStatusPatch, isStatusPatch } from "./status_patch.ts";

/** The largest request body read (kube-apiserver's limit is about 3 MB). */
export const MAX_WRITE_BYTES = 3 * 1024 * 1024;

type Answer = (body: Uint8Array) => Promise<Response>;

/** The answer for a write holdfast can answer honestly offline, if this is one. */
function answerFor(
  context: LocalContext,
  request: Request,
  classified: ResourceWrite,
): Answer | undefined {
  const { info } = classified;
  if (isNodeLease(info) && (info.verb === "create" || info.verb === "update")) {
    return (body) => answerLeaseWrite(context, request, classified, body);
  }
  if (isStatusPatch(info)) return (body) => answerStatusPatch(context, request, classified, body);
  if (isEventCreate(info)) return (body) => answerEventCreate(context, request, classified, body);
  if (isRegistration(classified)) {
    return (body) => answerRegistration(context, request, classified, body);
  }
  return undefined;
}

/** Answers a create, update or patch request without the cloud. */
export async function answerWrite(
  context: LocalContext,
  request: Request,
  classified: ResourceWrite,
): Promise<Response> {
  const { info } = classified;
  const answer = answerFor(context, request, classified);
  if (!answer) {
    await request.body?.cancel();
    const what = [info.verb, info.resource, info.subresource].filter(Boolean).join(" ");
    return unavailableReply(
      request,
      `the cloud kube-apiserver is unreachable; holdfast cannot answer ${what} offline`,
      context.retryAfter,
    );
  }
  let body: Uint8Array;
  try {
    body = request.body ? await readAll(request.body, MAX_WRITE_BYTES) : new Uint8Array();
  } catch (error) {
    if (error instanceof RangeError) return statusReply(request, tooLarge(error.message));
    throw error;
  }
  return answer(body);
}

/** A node registration (`POST /api/v1/nodes`) or a pod create (kubelet's mirror pods). */
function isRegistration(classified: ResourceWrite): classified is WithQuery<ResourceWrite> {
  const { info, query } = classified;
  return info.verb === "create" && info.apiGroup === "" && info.subresource === "" &&
    query !== undefined && (info.resource === "nodes" || info.resource === "pods");
}

async function answerRegistration(
  context: LocalContext,
  request: Request,
  classified: WithQuery<ResourceWrite>,
  body: Uint8Array,
): Promise<Response> {
  const { info, query } = classified;
  const read = readRequestObject(request, body, info.resource, context.retryAfter);
  if ("code" in read) return statusReply(request, read);
  const { object, codec } = read;
  const { name } = object.meta;
  // Only kubelet creates pods already bound to a node: its mirror pods for static pods.
  const mirror = info.resource === "nodes" || (object.fields["spec.nodeName"] ?? "") !== "";
  if (name === "" || !mirror) {
    return unavailableReply(
      request,
      `holdfast cannot create this ${info.resource} offline`,
      context.retryAfter,
    );
  }
  const namespace = info.resource === "pods" ? info.namespace : "";
  const existing = await context.store.getObject(query.component, gvrOf(query), namespace, name);
  if (existing) return statusReply(request, alreadyExists(info.apiGroup, info.resource, name));
  const created = { ...object, meta: { ...object.meta, namespace } };
  await context.store.putObject(query, codec.mediaType, created);
  return objectReply(request, { ...created, mediaType: codec.mediaType }, 201);
}
