/**
 * Offline `PATCH` of node and pod `status` (kubelet's heartbeat and pod status, flannel's
 * annotations): the cached object with the patch applied, stored back and returned. Merge patch
 * and strategic merge patch are supported on objects cached as JSON; other patch types, and
 * objects cached as protobuf (which holdfast cannot patch without their schema), get 503.
 * As for the status subresource in kube-apiserver, changes to `spec` are ignored, and a patch
 * carrying another resourceVersion than the cached one gets 409 Conflict; a patch type it does not
 * take is 415, and a result whose fields lost their types is 422 Invalid, never stored.
 * @module
 */
import { gvrOf } from "../../cache/query.ts";
import { codecFor } from "../../kube/codecs.ts";
import { parseJsonObject } from "../../kube/json/object.ts";
import type { RequestInfo } from "../../kube/request_info.ts";
import {
  badRequest,
  conflict,
  invalid,
  notFound,
  unsupportedMediaType,
} from "../../kube/status.ts";
import type { ResourceWrite } from "../classify.ts";
import { essenceOf } from "./accept.ts";
import type { LocalContext } from "./context.ts";
import { mergePatch, strategicMergePatch } from "./merge_patch.ts";
import { objectReply, statusReply, unavailableReply } from "./reply.ts";
import { shapeProblem } from "./patched_shape.ts";
import { provesAbsence } from "./snapshot.ts";

type Json = Record<string, unknown>;

const PATCHERS: Readonly<Record<string, (target: unknown, patch: unknown) => unknown>> = {
  "application/merge-patch+json": mergePatch,
  "application/strategic-merge-patch+json": strategicMergePatch,
};

/** The patch types kube-apiserver takes; any other is 415. */
const PATCH_MEDIA_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/apply-patch+yaml",
  "application/strategic-merge-patch+json",
];

/** Whether the request patches the status of a node or a pod. */
export function isStatusPatch(info: RequestInfo): boolean {
  return info.verb === "patch" && info.subresource === "status" && info.apiGroup === "" &&
    (info.resource === "nodes" || info.resource === "pods");
}

/** Applies the status patch `body` to the cached object and answers with the result. */
export async function answerStatusPatch(
  context: LocalContext,
  request: Request,
  classified: ResourceWrite,
  body: Uint8Array,
): Promise<Response> {
  const { info, query } = classified;
  const patchType = essenceOf(request.headers.get("content-type") ?? "");
  const patcher = PATCHERS[patchType];
  if (!PATCH_MEDIA_TYPES.includes(patchType)) {
    return statusReply(request, unsupportedMediaType(PATCH_MEDIA_TYPES));
  }
  if (!patcher || !query) {
    return unavailableReply(
      request,
      `holdfast cannot apply a ${patchType || "untyped"} patch of ${info.resource}/status offline`,
      context.retryAfter,
    );
  }
  const gvr = gvrOf(query);
  const stored = await context.store.getObject(query.component, gvr, info.namespace, info.name);
  if (!stored) {
    const records = await context.store.queries(query.component, gvr);
    if (records.some((record) => provesAbsence(record, info.namespace, info.name))) {
      return statusReply(request, notFound(info.apiGroup, info.resource, info.name));
    }
    return unavailableReply(
      request,
      `holdfast has no copy of ${info.resource} "${info.name}"`,
      context.retryAfter,
    );
  }
  const codec = codecFor(stored.mediaType);
  const values = codec?.values;
  if (!codec || !values) {
    return unavailableReply(
      request,
      `holdfast cannot patch ${info.resource} "${info.name}" offline: it is cached as ${stored.mediaType}`,
      context.retryAfter,
    );
  }
  let patch: Json;
  try {
    patch = parseJsonObject(body);
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      return statusReply(request, badRequest("the patch must be a JSON object"));
    }
    return statusReply(request, badRequest(`error decoding patch: ${error.message}`));
  }
  const object = values.decode(stored.bytes);
  const metadata = (object.metadata ?? {}) as Json;
  const wanted = (patch.metadata as Json | undefined)?.resourceVersion;
  if (wanted !== undefined && wanted !== metadata.resourceVersion) {
    return statusReply(
      request,
      conflict(
        `Operation cannot be fulfilled on ${info.resource} "${info.name}": the object has been ` +
          "modified; please apply your changes to the latest version and try again",
      ),
    );
  }
  const patched = patcher(object, patch) as Json;
  patched.spec = object.spec;
  if (object.spec === undefined) delete patched.spec;
  patched.metadata = {
    ...(patched.metadata as Json),
    name: metadata.name,
    namespace: metadata.namespace,
    uid: metadata.uid,
    resourceVersion: metadata.resourceVersion,
  };
  const problem = shapeProblem(patched);
  if (problem) {
    return statusReply(
      request,
      invalid(`${info.resource} "${info.name}" is invalid: patch: ${problem}`, "patch"),
    );
  }
  const decoded = values.encode(patched, info.resource);
  const result = {
    ...decoded,
    typeMeta: {
      apiVersion: decoded.typeMeta.apiVersion || stored.typeMeta.apiVersion,
      kind: decoded.typeMeta.kind || stored.typeMeta.kind,
    },
  };
  await context.store.putObject(query, codec.mediaType, result);
  return objectReply(request, { ...result, mediaType: codec.mediaType });
}
