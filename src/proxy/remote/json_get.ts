/**
 * Reads JSON from the upstream as holdfast itself (component `holdfast`, the node's credentials):
 * the lookups of the cluster the response filters make.
 * @module
 */
import type { JsonGet } from "../../filters/cluster.ts";
import { VERSION } from "../../version.ts";
import { forward, type ForwardDeps } from "./forward.ts";

/** How long a lookup of the cluster (a Service, the Node, a pool's nodes) may take. */
const LOOKUP_TIMEOUT_MS = 5_000;

/** A {@link JsonGet} reading the upstream through `forward` as component `holdfast`, as the node. */
export function upstreamJsonGet(deps: ForwardDeps): JsonGet {
  return async (path, accept) => {
    const url = new URL(path, "http://upstream.invalid");
    const request = new Request(url, {
      headers: { accept, "user-agent": `holdfast/${VERSION}` },
      signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
    });
    const result = await forward(request, url, deps, "node");
    if (!result.ok) return undefined;
    if (!result.response.ok) {
      await result.response.body?.cancel();
      return undefined;
    }
    return await result.response.json();
  };
}
