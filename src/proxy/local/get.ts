/**
 * Offline GET of one object: the cached copy in its stored format — the transformed copy (Table,
 * PartialObjectMetadata) when the client asked for one and it is cached, else the full object —
 * or 406 when the client's Accept does not take that format; 404 NotFound when a complete snapshot
 * of this component proves the object does not exist; otherwise 503 with Retry-After, since only
 * the cloud can tell; 503 too when the cached copy is damaged. A `resourceVersion` that is not a
 * uint64 gets kube-apiserver's 500.
 * @module
 */
import { gvrOf } from "../../cache/query.ts";
import { invalidResourceVersion } from "../../kube/list_options.ts";
import { notFound } from "../../kube/status.ts";
import type { ResourceGet } from "../classify.ts";
import type { LocalContext } from "./context.ts";
import { acceptRank } from "./accept.ts";
import { answerLeaseGet, isNodeLease } from "./leases.ts";
import { objectReply, statusReply, unavailableReply } from "./reply.ts";
import { provesAbsence } from "./snapshot.ts";
import { storedTable } from "./table.ts";

/** Answers a get request from the cache. */
export async function answerGet(
  context: LocalContext,
  request: Request,
  classified: ResourceGet,
): Promise<Response> {
  const { info, query } = classified;
  const badVersion = invalidResourceVersion(
    classified.url.searchParams.get("resourceVersion") ?? "",
  );
  if (badVersion) return statusReply(request, badVersion);
  if (isNodeLease(info)) return answerLeaseGet(context, request, classified);
  const table = await storedTable(context, classified);
  if (table) return table;
  if (!query) {
    return unavailableReply(request, "this component's objects are not cached", context.retryAfter);
  }
  const gvr = gvrOf(query);
  const { component, transform } = query;
  const { namespace, name } = info;
  const accept = request.headers.get("accept");
  const transformed = transform === "" ? null : await context.store.getObject(
    component,
    gvr,
    namespace,
    name,
    transform,
    (mediaType) => acceptRank(accept, mediaType, transform) >= 0,
  );
  if (transformed) return objectReply(request, transformed, 200, transform);
  const stored = await context.store.getObject(
    component,
    gvr,
    namespace,
    name,
    "",
    (mediaType) => acceptRank(accept, mediaType, "") >= 0,
  );
  if (stored) return objectReply(request, stored);
  const records = await context.store.queries(component, gvr);
  if (records.some((record) => provesAbsence(record, namespace, name))) {
    return statusReply(request, notFound(info.apiGroup, info.resource, info.name));
  }
  return unavailableReply(
    request,
    `holdfast has no copy of ${info.resource} "${info.name}" and the cloud is unreachable`,
    context.retryAfter,
  );
}
