/**
 * Reads and rewrites of a `core.v1.Service` message (k8s.io/api `core/v1/generated.proto`):
 * Service { metadata 1, spec 2, status 3 }; ServiceSpec { ports 1 (ServicePort), clusterIP 3,
 * type 4, clusterIPs 18 }; ServicePort { name 1, protocol 2, port 3 (int32), targetPort 4,
 * nodePort 5, appProtocol 6 }. Untouched fields keep their bytes. Pure.
 * @module
 */
import { findBytes } from "./message.ts";
import { replaceField } from "./rewrite.ts";
import { int32Field, mapRepeated, readStringField } from "./repeated.ts";
import { messageField, stringField } from "./wire.ts";

const SPEC = 2;
const SPEC_PORTS = 1;
const SPEC_CLUSTER_IP = 3;
const SPEC_TYPE = 4;
const SPEC_CLUSTER_IPS = 18;
const PORT_NAME = 1;
const PORT_PORT = 3;

/** `spec.type` of a Service message ("" when unset). */
export function readServiceType(service: Uint8Array): string {
  const spec = findBytes(service, SPEC);
  return spec === undefined ? "" : readStringField(spec, SPEC_TYPE) ?? "";
}

/**
 * Points a Service at `host`: `spec.clusterIP` and `spec.clusterIPs` become `host`, and the port
 * named `portName` gets `port`. Returns the new message.
 */
export function setServiceAddress(
  service: Uint8Array,
  host: string,
  portName: string,
  port: number,
): Uint8Array {
  let spec = findBytes(service, SPEC) ?? new Uint8Array(0);
  spec = replaceField(spec, [SPEC_CLUSTER_IP], [stringField(SPEC_CLUSTER_IP, host)]);
  spec = replaceField(spec, [SPEC_CLUSTER_IPS], [stringField(SPEC_CLUSTER_IPS, host)]);
  let named = false;
  const ports = mapRepeated(spec, SPEC_PORTS, (servicePort) => {
    if (named || readStringField(servicePort, PORT_NAME) !== portName) return undefined;
    named = true;
    return replaceField(servicePort, [PORT_PORT], [int32Field(PORT_PORT, port)]);
  });
  return replaceField(service, [SPEC], [messageField(SPEC, ports ?? spec)]);
}
