/**
 * `masterservice`: the `default/kubernetes` Service, as listed or watched by kubelet, points at
 * holdfast's HTTPS address — `spec.clusterIP` and `spec.clusterIPs` become its host and the port
 * named `https` its port — so pods using in-cluster config (which kubelet gives the Service's
 * address) reach the cluster through holdfast.
 * @module
 */
import { readObjectMeta } from "../kube/protobuf/object_meta.ts";
import { setServiceAddress } from "../kube/protobuf/service.ts";
import { isNamed, type JsonObject, objectAt, type ObjectFilter } from "./filter.ts";
import { nameNeedles } from "./needles.ts";

/** holdfast's HTTPS address, which the `default/kubernetes` Service is pointed at. */
export interface MasterServiceAddress {
  /** An IP address (a Service's clusterIP is one). */
  host: string;
  port: number;
}

const NAMESPACE = "default";
const NAME = "kubernetes";
const PORT_NAME = "https";

/** Creates the `masterservice` filter. */
export function masterServiceFilter(address: MasterServiceAddress): ObjectFilter {
  return {
    name: "masterservice",
    verbs: { services: ["get", "list", "watch"] },
    needles: nameNeedles(NAME),
    json(service) {
      if (!isNamed(service, NAMESPACE, NAME)) return Promise.resolve(undefined);
      const spec = objectAt(service, "spec");
      spec.clusterIP = address.host;
      spec.clusterIPs = [address.host];
      const ports = Array.isArray(spec.ports) ? spec.ports as JsonObject[] : [];
      const https = ports.find((port) => port?.name === PORT_NAME);
      if (https) https.port = address.port;
      service.spec = spec;
      return Promise.resolve(service);
    },
    protobuf(service) {
      const meta = readObjectMeta(service);
      if (meta.namespace !== NAMESPACE || meta.name !== NAME) return Promise.resolve(undefined);
      return Promise.resolve(setServiceAddress(service, address.host, PORT_NAME, address.port));
    },
  };
}
