/**
 * Discovery documents for the served types: `/version`, `/api`, `/api/v1`, `/apis`,
 * `/apis/<group>`, `/apis/<group>/<version>`, and aggregated discovery (`APIGroupDiscoveryList`,
 * apidiscovery.k8s.io v2 or v2beta1) for `/api` and `/apis`.
 * @module
 */
import type { Json } from "./fixtures.ts";
import type { ResourceRegistry, ResourceType } from "./resources.ts";

/** The Kubernetes version the simulator claims. */
export const VERSION = {
  major: "1",
  minor: "36",
  emulationMajor: "1",
  emulationMinor: "36",
  minCompatibilityMajor: "1",
  minCompatibilityMinor: "35",
  gitVersion: "v1.36.0-apiserver-sim",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-06-01T00:00:00Z",
  goVersion: "go1.26.0",
  compiler: "gc",
  platform: "linux/amd64",
};

/** `GET /openapi/v2` as JSON: a Swagger document without paths or definitions. */
export const OPENAPI_V2 = {
  swagger: "2.0",
  info: { title: "Kubernetes", version: VERSION.gitVersion },
  paths: {},
  definitions: {},
};

const STATUS_VERBS = ["get", "patch", "update"];

/** `GET /api`: APIVersions. */
export function apiVersions(serverAddress: string): Json {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

/** `GET /api/v1` or `/apis/<group>/<version>`: APIResourceList, or undefined when not served. */
export function resourceList(registry: ResourceRegistry, group: string, version: string) {
  const types = registry.types.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Json[] = [];
  for (const t of types) {
    resources.push({
      name: t.resource,
      singularName: t.discovery.singularName,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.discovery.verbs,
      ...(t.discovery.shortNames ? { shortNames: t.discovery.shortNames } : {}),
      ...(t.discovery.categories ? { categories: t.discovery.categories } : {}),
      ...(t.discovery.storageVersionHash
        ? { storageVersionHash: t.discovery.storageVersionHash }
        : {}),
    });
    if (t.hasStatus) {
      resources.push({
        name: `${t.resource}/status`,
        singularName: "",
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: STATUS_VERBS,
      });
    }
  }
  const list: Json = { kind: "APIResourceList" };
  if (group) list.apiVersion = "v1";
  list.groupVersion = group ? `${group}/${version}` : version;
  list.resources = resources;
  return list;
}

function apiGroup(name: string, versions: string[]): Json {
  const entries = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** `GET /apis`: APIGroupList. */
export function groupList(registry: ResourceRegistry): Json {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...registry.groups()].map(([name, versions]) => apiGroup(name, versions)),
  };
}

/** `GET /apis/<group>`: APIGroup, or undefined when not served. */
export function group(registry: ResourceRegistry, name: string): Json | undefined {
  const versions = registry.groups().get(name);
  return versions ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(name, versions) } : undefined;
}

function discoveryResource(t: ResourceType): Json {
  const resource: Json = {
    resource: t.resource,
    responseKind: { group: "", version: "", kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.discovery.singularName,
    verbs: t.discovery.verbs,
  };
  if (t.discovery.shortNames) resource.shortNames = t.discovery.shortNames;
  if (t.discovery.categories) resource.categories = t.discovery.categories;
  if (t.hasStatus) {
    resource.subresources = [{
      subresource: "status",
      responseKind: { group: "", version: "", kind: t.kind },
      verbs: STATUS_VERBS,
    }];
  }
  return resource;
}

/**
 * Aggregated discovery (`APIGroupDiscoveryList` of apidiscovery.k8s.io `version`): the core
 * group for `/api` (`legacy`), every named group for `/apis`.
 */
export function aggregated(registry: ResourceRegistry, legacy: boolean, version: string): Json {
  const groups = legacy ? new Map([["", ["v1"]]]) : registry.groups();
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [...groups].map(([name, versions]) => ({
      metadata: { name, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        resources: registry.types.filter((t) => t.group === name && t.version === v)
          .map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}
