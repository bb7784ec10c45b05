/**
 * Builds the response filters from the configuration: the enabled filters with their components,
 * over a cluster view that reads the upstream with holdfast's own credentials.
 * @module
 */
import type { Config, FiltersConfig } from "../config/types.ts";
import type { ResponseFilter } from "./chain.ts";
import { type ClusterView, clusterView, type JsonGet } from "./cluster.ts";
import { discardCloudServiceFilter } from "./discardcloudservice.ts";
import { DEFAULT_FILTER_COMPONENTS, type FilterName } from "../config/filter_names.ts";
import type { ObjectFilter } from "./filter.ts";
import { inClusterConfigFilter } from "./inclusterconfig.ts";
import { masterServiceFilter } from "./masterservice.ts";
import { nodePortIsolationFilter } from "./nodeportisolation.ts";
import { type ApprovedFilter, responseFilter } from "./response.ts";
import { serviceTopologyFilter } from "./servicetopology.ts";

function createFilter(
  name: FilterName,
  config: FiltersConfig,
  cluster: () => ClusterView,
): ObjectFilter | undefined {
  switch (name) {
    case "masterservice":
      return config.masterServiceAddress && masterServiceFilter(config.masterServiceAddress);
    case "servicetopology":
      return serviceTopologyFilter(cluster());
    case "discardcloudservice":
      return discardCloudServiceFilter();
    case "inclusterconfig":
      return inClusterConfigFilter();
    case "nodeportisolation":
      return nodePortIsolationFilter(cluster());
  }
}

/** The response filters `config` asks for; none when it has no `filters`. */
export function buildResponseFilters(config: Config, get: JsonGet): ResponseFilter[] {
  const filters = config.filters;
  if (!filters) return [];
  let view: ClusterView | undefined;
  const cluster = () =>
    view ??= clusterView({ nodeName: config.nodeName, nodePool: filters.nodePool, get });
  const approved: ApprovedFilter[] = [];
  for (const name of filters.enabled) {
    const filter = createFilter(name, filters, cluster);
    const components = filters.components[name] ?? DEFAULT_FILTER_COMPONENTS[name];
    if (filter) approved.push({ filter, components: new Set(components) });
  }
  return approved.length > 0 ? [responseFilter(approved)] : [];
}
