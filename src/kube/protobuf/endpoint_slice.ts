/**
 * Rewrites of a `discovery.v1.EndpointSlice` message (k8s.io/api `discovery/v1/generated.proto`):
 * EndpointSlice { metadata 1, endpoints 2 (Endpoint), ports 3, addressType 4 }; Endpoint
 * { addresses 1, conditions 2, hostname 3, targetRef 4, deprecatedTopology 5, nodeName 6, zone 7,
 * hints 8 }. Kept endpoints keep their bytes. Pure.
 * @module
 */
import { mapRepeated, readStringField } from "./repeated.ts";

const ENDPOINTS = 2;
const ENDPOINT_NODE_NAME = 6;

/**
 * Keeps the endpoints whose `nodeName` passes `keep` (an endpoint without one is given
 * undefined). Returns undefined when every endpoint is kept, else the new message.
 */
export function keepEndpoints(
  slice: Uint8Array,
  keep: (nodeName: string | undefined) => boolean,
): Uint8Array | undefined {
  return mapRepeated(
    slice,
    ENDPOINTS,
    (endpoint) => keep(readStringField(endpoint, ENDPOINT_NODE_NAME)) ? undefined : null,
  );
}
