/**
 * `discardcloudservice`: kube-proxy on the edge does not see LoadBalancer Services annotated
 * `svc.openyurt.io/discard: "true"` (their load balancer lives in the cloud), nor YurtHub's cloud
 * tunnel Service `kube-system/x-tunnel-server-internal-svc`.
 * @module
 */
import { readObjectMetaDetails } from "../kube/protobuf/object_meta.ts";
import { readServiceType } from "../kube/protobuf/service.ts";
import { objectAt, type ObjectFilter, stringAt } from "./filter.ts";

/** The annotation that marks a LoadBalancer Service as cloud-only. */
export const DISCARD_ANNOTATION = "svc.openyurt.io/discard";

const CLOUD_SERVICES = new Set(["kube-system/x-tunnel-server-internal-svc"]);

function discarded(
  namespace: string | undefined,
  name: string | undefined,
  type: string,
  annotations: Record<string, string> | undefined,
): boolean {
  if (type === "LoadBalancer" && annotations?.[DISCARD_ANNOTATION] === "true") return true;
  return CLOUD_SERVICES.has(`${namespace ?? ""}/${name ?? ""}`);
}

/** Creates the `discardcloudservice` filter. */
export function discardCloudServiceFilter(): ObjectFilter {
  return {
    name: "discardcloudservice",
    verbs: { services: ["list", "watch"] },
    needles: ["LoadBalancer", "x-tunnel-server-internal-svc"],
    json(service) {
      const meta = objectAt(service, "metadata");
      const type = stringAt(objectAt(service, "spec"), "type");
      const annotations = objectAt(meta, "annotations") as Record<string, string>;
      const drop = discarded(
        stringAt(meta, "namespace"),
        stringAt(meta, "name"),
        type,
        annotations,
      );
      return Promise.resolve(drop ? null : undefined);
    },
    protobuf(service) {
      const meta = readObjectMetaDetails(service);
      const type = readServiceType(service);
      return Promise.resolve(
        discarded(meta.namespace, meta.name, type, meta.annotations) ? null : undefined,
      );
    },
  };
}
