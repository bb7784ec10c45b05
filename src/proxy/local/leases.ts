/**
 * kubelet's node lease offline (`coordination.k8s.io/v1` leases in `kube-node-lease`): GET,
 * create and update answered locally and kept consistent across calls and restarts. The current
 * lease is the newest of the one last written here and the one cached from the cloud; every write
 * gives it the next resourceVersion, and an update carrying any other resourceVersion than the
 * current one gets 409 Conflict, as from kube-apiserver. Bodies may be JSON or protobuf.
 * @module
 */
import { type LocalLease, readLocalLease, writeLocalLease } from "../../node/leases.ts";
import type { WireCodec } from "../../kube/codec.ts";
import { isNumericResourceVersion } from "../../kube/resource_version.ts";
import type { RequestInfo } from "../../kube/request_info.ts";
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  type Status,
} from "../../kube/status.ts";
import type { RawObject } from "../../kube/types.ts";
import type { ResourceGet, ResourceWrite } from "../classify.ts";
import type { LocalContext } from "./context.ts";
import { objectReply, statusReply } from "./reply.ts";
import { readRequestObject } from "./request_object.ts";

const GROUP = "coordination.k8s.io";
const NAMESPACE = "kube-node-lease";
const GVR = { group: GROUP, version: "v1", resource: "leases" };

/** Whether the request addresses a node lease (answered locally while offline). */
export function isNodeLease(info: RequestInfo): boolean {
  return info.apiGroup === GROUP && info.apiVersion === "v1" && info.resource === "leases" &&
    info.namespace === NAMESPACE && info.subresource === "";
}

async function currentLease(
  context: LocalContext,
  classified: ResourceGet | ResourceWrite,
  name: string,
) {
  const slot = await readLocalLease(context.kv, NAMESPACE, name, classified.identity);
  const cached = classified.query
    ? await context.store.getObject(classified.query.component, GVR, NAMESPACE, name)
    : null;
  const local = slot.lease;
  const current = local && (!cached || local.storedAt >= cached.storedAt) ? local : cached;
  return { slot, current };
}

/** GET of a node lease: the current lease, or 404 so that kubelet creates it. */
export async function answerLeaseGet(
  context: LocalContext,
  request: Request,
  classified: ResourceGet,
): Promise<Response> {
  const { current } = await currentLease(context, classified, classified.info.name);
  if (current) return objectReply(request, current);
  return statusReply(request, notFound(GROUP, "leases", classified.info.name));
}

/** Create (POST) or update (PUT) of a node lease with the request body `body`. */
export async function answerLeaseWrite(
  context: LocalContext,
  request: Request,
  classified: ResourceWrite,
  body: Uint8Array,
): Promise<Response> {
  const { info } = classified;
  const read = readRequestObject(request, body, "leases", context.retryAfter);
  if ("code" in read) return statusReply(request, read);
  const { object: written, codec } = read;
  const creating = info.verb === "create";
  const name = creating ? written.meta.name : info.name;
  const refused = checkIdentity(written, name, creating ? undefined : info.name);
  if (refused) return statusReply(request, refused);

  const { slot, current } = await currentLease(context, classified, name);
  if (creating && current) return statusReply(request, alreadyExists(GROUP, "leases", name));
  if (!creating) {
    if (!current) return statusReply(request, notFound(GROUP, "leases", name));
    if (written.meta.resourceVersion === "") {
      return statusReply(
        request,
        invalid(
          `Lease.coordination.k8s.io "${name}" is invalid: metadata.resourceVersion: ` +
            "Invalid value: 0x0: must be specified for an update",
          "metadata.resourceVersion",
        ),
      );
    }
    if (written.meta.resourceVersion !== current.meta.resourceVersion) {
      return statusReply(request, modified(name));
    }
  }
  const lease = stamp(written, codec, {
    resourceVersion: nextResourceVersion(current?.meta.resourceVersion),
    uid: written.meta.uid || current?.meta.uid || crypto.randomUUID(),
  });
  if (!await writeLocalLease(context.kv, NAMESPACE, name, slot, lease, classified.identity)) {
    return statusReply(request, modified(name));
  }
  return objectReply(request, lease, creating ? 201 : 200);
}

function checkIdentity(lease: RawObject, name: string, urlName?: string): Status | undefined {
  if (name === "") {
    return invalid(
      'Lease.coordination.k8s.io "" is invalid: metadata.name: Required value',
      "metadata.name",
    );
  }
  if (urlName !== undefined && lease.meta.name !== urlName) {
    return badRequest(
      `the name of the object (${lease.meta.name}) does not match the name on the URL (${urlName})`,
    );
  }
  if (lease.meta.namespace !== "" && lease.meta.namespace !== NAMESPACE) {
    return badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  return undefined;
}

function modified(name: string): Status {
  return conflict(
    `Operation cannot be fulfilled on leases.${GROUP} "${name}": the object has been modified; ` +
      "please apply your changes to the latest version and try again",
  );
}

/** The resourceVersion after `current` (numeric versions count up; anything else restarts at 1). */
export function nextResourceVersion(current: string | undefined): string {
  if (current && isNumericResourceVersion(current)) return (BigInt(current) + 1n).toString();
  return "1";
}

/** `lease` with its resourceVersion, uid and namespace set, ready to store and answer. */
function stamp(
  lease: RawObject,
  codec: WireCodec,
  set: { resourceVersion: string; uid: string },
): LocalLease {
  const bytes = codec.setMetadata(lease.bytes, {
    namespace: NAMESPACE,
    uid: set.uid,
    resourceVersion: set.resourceVersion,
  });
  return {
    meta: { ...lease.meta, namespace: NAMESPACE, ...set },
    fields: { ...lease.fields, "metadata.namespace": NAMESPACE },
    typeMeta: lease.typeMeta,
    bytes,
    mediaType: codec.mediaType,
    storedAt: Date.now(),
  };
}
