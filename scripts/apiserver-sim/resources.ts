/**
 * The resource types the simulator serves, with their discovery entries taken from the captured
 * discovery documents (core `/api/v1` and aggregated `/apis`) and, for the custom resource, from
 * its CustomResourceDefinition.
 * @module
 */
import type { Json } from "./fixtures.ts";

/** The discovery facts of one resource (as in `APIResourceList`). */
export interface DiscoveryInfo {
  singularName: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

/** One served resource type. */
export interface ResourceType {
  group: string;
  version: string;
  /** `group/version`, or `v1` for the core group. */
  groupVersion: string;
  /** Plural resource name, e.g. `pods`. */
  resource: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  /** Whether `<name>/status` is served (status is then ignored on main-resource writes). */
  hasStatus: boolean;
  /** A custom resource (served the way apiextensions-apiserver serves them). */
  custom: boolean;
  /** DELETE answers with the deleted object (pods, services, namespaces, CRDs) instead of a Status. */
  returnsDeletedObject: boolean;
  discovery: DiscoveryInfo;
}

/** The served types, looked up by group, version and resource. */
export class ResourceRegistry {
  readonly types: readonly ResourceType[];
  readonly #byPath = new Map<string, ResourceType>();

  constructor(types: ResourceType[]) {
    this.types = types;
    for (const type of types) {
      this.#byPath.set(pathKey(type.group, type.version, type.resource), type);
    }
  }

  /** The type served at `/api(s)/<group>/<version>/<resource>`, if any. */
  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.#byPath.get(pathKey(group, version, resource));
  }

  /** The type of `kind` in `group`. */
  byKind(group: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.kind === kind);
  }

  /** The served versions of every named group, in registry order. */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return groups;
  }
}

function pathKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

interface BuiltIn {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  hasStatus?: boolean;
  returnsDeletedObject?: boolean;
}

const BUILT_IN: BuiltIn[] = [
  {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
    namespaced: false,
    hasStatus: true,
    returnsDeletedObject: true,
  },
  { group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, hasStatus: true },
  {
    group: "",
    version: "v1",
    resource: "pods",
    kind: "Pod",
    namespaced: true,
    hasStatus: true,
    returnsDeletedObject: true,
  },
  {
    group: "",
    version: "v1",
    resource: "services",
    kind: "Service",
    namespaced: true,
    hasStatus: true,
    returnsDeletedObject: true,
  },
  { group: "", version: "v1", resource: "endpoints", kind: "Endpoints", namespaced: true },
  { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true },
  { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true },
  {
    group: "",
    version: "v1",
    resource: "serviceaccounts",
    kind: "ServiceAccount",
    namespaced: true,
  },
  { group: "", version: "v1", resource: "events", kind: "Event", namespaced: true },
  {
    group: "",
    version: "v1",
    resource: "persistentvolumeclaims",
    kind: "PersistentVolumeClaim",
    namespaced: true,
    hasStatus: true,
  },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    kind: "Deployment",
    namespaced: true,
    hasStatus: true,
  },
  {
    group: "discovery.k8s.io",
    version: "v1",
    resource: "endpointslices",
    kind: "EndpointSlice",
    namespaced: true,
  },
  {
    group: "events.k8s.io",
    version: "v1",
    resource: "events",
    kind: "Event",
    namespaced: true,
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    kind: "Lease",
    namespaced: true,
  },
  {
    group: "node.k8s.io",
    version: "v1",
    resource: "runtimeclasses",
    kind: "RuntimeClass",
    namespaced: false,
  },
  {
    group: "storage.k8s.io",
    version: "v1",
    resource: "csidrivers",
    kind: "CSIDriver",
    namespaced: false,
  },
  {
    group: "storage.k8s.io",
    version: "v1",
    resource: "csinodes",
    kind: "CSINode",
    namespaced: false,
  },
  {
    group: "apiextensions.k8s.io",
    version: "v1",
    resource: "customresourcedefinitions",
    kind: "CustomResourceDefinition",
    namespaced: false,
    hasStatus: true,
    returnsDeletedObject: true,
  },
];

/** Builds the registry: the built-in types plus the custom resources of `crds`. */
export function buildRegistry(
  coreResources: Json,
  aggregatedGroups: Json,
  crds: Json[],
): ResourceRegistry {
  const types = BUILT_IN.map((b): ResourceType => ({
    group: b.group,
    version: b.version,
    groupVersion: b.group ? `${b.group}/${b.version}` : b.version,
    resource: b.resource,
    kind: b.kind,
    listKind: `${b.kind}List`,
    namespaced: b.namespaced,
    hasStatus: b.hasStatus ?? false,
    custom: false,
    returnsDeletedObject: b.returnsDeletedObject ?? false,
    discovery: b.group
      ? fromAggregated(aggregatedGroups, b.group, b.version, b.resource)
      : fromCore(coreResources, b.resource),
  }));
  for (const crd of crds) types.push(...customTypes(crd));
  return new ResourceRegistry(types);
}

function fromCore(list: Json, resource: string): DiscoveryInfo {
  const entry = (list.resources as Json[]).find((r) => r.name === resource);
  if (!entry) throw new Error(`no core discovery entry for ${resource}`);
  return pick(entry, entry.singularName as string);
}

function fromAggregated(list: Json, group: string, version: string, resource: string) {
  const groupEntry = (list.items as Json[]).find((g) => (g.metadata as Json).name === group);
  const versionEntry = (groupEntry?.versions as Json[] | undefined)?.find((v) =>
    v.version === version
  );
  const entry = (versionEntry?.resources as Json[] | undefined)?.find((r) =>
    r.resource === resource
  );
  if (!entry) throw new Error(`no aggregated discovery entry for ${resource}.${group}/${version}`);
  return pick(entry, entry.singularResource as string);
}

function pick(entry: Json, singularName: string): DiscoveryInfo {
  const info: DiscoveryInfo = { singularName, verbs: entry.verbs as string[] };
  if (entry.shortNames) info.shortNames = entry.shortNames as string[];
  if (entry.categories) info.categories = entry.categories as string[];
  if (entry.storageVersionHash) info.storageVersionHash = entry.storageVersionHash as string;
  return info;
}

/** The resource types a CustomResourceDefinition declares (one per served version). */
export function customTypes(crd: Json): ResourceType[] {
  const spec = crd.spec as Json;
  const names = spec.names as Json;
  const versions = (spec.versions as Json[]).filter((v) => v.served);
  return versions.map((v): ResourceType => ({
    group: spec.group as string,
    version: v.name as string,
    groupVersion: `${spec.group}/${v.name}`,
    resource: names.plural as string,
    kind: names.kind as string,
    listKind: (names.listKind as string | undefined) ?? `${names.kind}List`,
    namespaced: spec.scope === "Namespaced",
    hasStatus: Boolean((v.subresources as Json | undefined)?.status),
    custom: true,
    returnsDeletedObject: false,
    discovery: {
      singularName: names.singular as string,
      verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
      ...(names.shortNames ? { shortNames: names.shortNames as string[] } : {}),
      ...(names.categories ? { categories: names.categories as string[] } : {}),
    },
  }));
}
