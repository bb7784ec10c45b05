/**
 * Reads the agent's cache figures: `GET /v1/status` (`cache`: one entry per component and
 * resource with `objects`, `complete` queries, …) and `GET /v1/cache/ls` (one entry per query,
 * with the resourceVersion committed to KV).
 * @module
 */
import { CACHED_USER_AGENT } from "./agent.ts";
import type { AgentStatus } from "./agent.ts";

/** The component name the agent derives from {@linkcode CACHED_USER_AGENT}. */
export const CACHED_COMPONENT = CACHED_USER_AGENT.split("/")[0].toLowerCase();

interface CacheEntry {
  component: string;
  resource: string;
  objects: number;
  complete?: number;
}

/** Sums `field` over the agent's cache entries of `resource` for `component`. */
function sumCache(
  status: AgentStatus,
  resource: string,
  component: string,
  field: "objects" | "complete",
): number {
  const entries = Array.isArray(status.cache) ? status.cache as CacheEntry[] : [];
  return entries
    .filter((entry) => entry.component === component && entry.resource === resource)
    .reduce((sum, entry) => sum + (entry[field] ?? 0), 0);
}

/** Objects of `resource` the agent reports cached for `component`. */
export function cachedObjects(
  status: AgentStatus,
  resource: string,
  component = CACHED_COMPONENT,
): number {
  return sumCache(status, resource, component, "objects");
}

/** Complete queries of `resource` the agent reports for `component`. */
export function completeQueries(
  status: AgentStatus,
  resource: string,
  component = CACHED_COMPONENT,
): number {
  return sumCache(status, resource, component, "complete");
}

interface QueryView {
  component: string;
  resource: string;
  namespace: string;
  labelSelector: string;
  fieldSelector: string;
  resourceVersion: string;
  complete?: boolean;
  stale?: boolean;
  mediaType?: string;
  objects?: number;
}

/**
 * The resourceVersion stored (committed to KV) for the cluster-wide, unselected query of
 * `resource` (e.g. `pods`) by `component`, from the agent's `GET /v1/cache/ls`; 0 when none.
 */
export async function storedResourceVersion(
  adminUrl: string,
  resource: string,
  component = CACHED_COMPONENT,
): Promise<number> {
  const response = await fetch(`${adminUrl}/v1/cache/ls`);
  if (!response.ok) throw new Error(`agent cache ls: HTTP ${response.status}`);
  const { queries } = await response.json() as { queries: QueryView[] };
  let newest = 0;
  for (const query of queries) {
    const matches = query.component === component &&
      query.resource.split(".")[0] === resource && query.namespace === "" &&
      query.labelSelector === "" && query.fieldSelector === "";
    if (matches) newest = Math.max(newest, Number(query.resourceVersion) || 0);
  }
  return newest;
}

/**
 * True once a complete query of `resource` holding at least `objects` objects is stored; with
 * `mediaType`, a complete, fresh copy in that format holding them (the JSON copy of the same query
 * does not count for a protobuf one).
 */
export function listStored(
  status: AgentStatus,
  resource: string,
  objects: number,
  mediaType?: string,
): boolean {
  if (mediaType === undefined) {
    return completeQueries(status, resource) >= 1 && cachedObjects(status, resource) >= objects;
  }
  const queries = Array.isArray(status.queries) ? status.queries as QueryView[] : [];
  return queries.some((query) =>
    query.component === CACHED_COMPONENT && query.resource.split(".")[0] === resource &&
    !!query.complete &&
    !query.stale && query.mediaType === mediaType && (query.objects ?? 0) >= objects
  );
}
