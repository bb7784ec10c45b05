/**
 * Reads the cache figures of the agent's `GET /v1/status` (`cache`: one entry per component and
 * resource with `objects`, `bytes` and `queries`).
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
}

/** Objects of `resource` the agent reports cached for `component`. */
export function cachedObjects(
  status: AgentStatus,
  resource: string,
  component = CACHED_COMPONENT,
): number {
  const entries = Array.isArray(status.cache) ? status.cache as CacheEntry[] : [];
  return entries
    .filter((entry) => entry.component === component && entry.resource === resource)
    .reduce((sum, entry) => sum + entry.objects, 0);
}
