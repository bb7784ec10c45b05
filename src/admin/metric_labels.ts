/**
 * Label values for per-request metrics, drawn from bounded sets so that odd User-Agents, paths or
 * methods cannot grow the number of series: a component outside the configured cache agents and
 * a few well-known clients, a resource outside Kubernetes' built-in resources, and a verb outside
 * the Kubernetes verbs are all counted as `other`.
 * @module
 */
import type { CacheAgents } from "../config/types.ts";

/** The label value for anything outside the known sets. */
export const OTHER = "other";

/** Clients named in metrics even when their responses are not cached. */
const KNOWN_COMPONENTS = [
  "kubelet",
  "kube-proxy",
  "kubectl",
  "coredns",
  "flanneld",
  "holdfast",
  "kubeadm",
  "kube-controller-manager",
  "kube-scheduler",
];

/** The verbs of kube-apiserver's request info, plus the methods of non-resource requests. */
const KNOWN_VERBS = [
  "get",
  "list",
  "watch",
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
  "proxy",
  "head",
  "post",
  "put",
  "options",
];

/** The resources built into kube-apiserver (every group), plus "" for non-resource requests. */
const KNOWN_RESOURCES = [
  "",
  "apiservices",
  "bindings",
  "certificatesigningrequests",
  "clusterrolebindings",
  "clusterroles",
  "clustertrustbundles",
  "componentstatuses",
  "configmaps",
  "controllerrevisions",
  "cronjobs",
  "csidrivers",
  "csinodes",
  "csistoragecapacities",
  "customresourcedefinitions",
  "daemonsets",
  "deployments",
  "deviceclasses",
  "endpoints",
  "endpointslices",
  "events",
  "flowschemas",
  "horizontalpodautoscalers",
  "ingressclasses",
  "ingresses",
  "ipaddresses",
  "jobs",
  "leases",
  "limitranges",
  "localsubjectaccessreviews",
  "mutatingwebhookconfigurations",
  "namespaces",
  "networkpolicies",
  "nodes",
  "persistentvolumeclaims",
  "persistentvolumes",
  "poddisruptionbudgets",
  "pods",
  "podtemplates",
  "priorityclasses",
  "prioritylevelconfigurations",
  "replicasets",
  "replicationcontrollers",
  "resourceclaims",
  "resourceclaimtemplates",
  "resourcequotas",
  "resourceslices",
  "rolebindings",
  "roles",
  "runtimeclasses",
  "secrets",
  "selfsubjectaccessreviews",
  "selfsubjectreviews",
  "selfsubjectrulesreviews",
  "serviceaccounts",
  "servicecidrs",
  "services",
  "statefulsets",
  "storageclasses",
  "subjectaccessreviews",
  "tokenreviews",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "validatingwebhookconfigurations",
  "volumeattachments",
  "volumeattributesclasses",
];

/** Request labels, each value from a bounded set. */
export interface RequestLabels {
  verb: string;
  resource: string;
  component: string;
}

const bounded = (known: ReadonlySet<string>, value: string) => known.has(value) ? value : OTHER;

/**
 * Maps a component to a bounded label value: kept when it is a cache agent (a named one: `*`
 * adds none) or a well-known client, or "" (no User-Agent); otherwise `other`.
 */
export function componentLabeler(cacheAgents: CacheAgents): (component: string) => string {
  const components = new Set(KNOWN_COMPONENTS);
  if (cacheAgents !== "*") {
    for (const agent of cacheAgents) components.add(agent);
  }
  return (component) => component === "" ? "" : bounded(components, component);
}

/** Maps a request's verb, resource and component to bounded label values. */
export function requestLabeler(
  cacheAgents: CacheAgents,
): (verb: string, resource: string, component: string) => RequestLabels {
  const componentLabel = componentLabeler(cacheAgents);
  const verbs = new Set(KNOWN_VERBS);
  const resources = new Set(KNOWN_RESOURCES);
  return (verb, resource, component) => ({
    verb: bounded(verbs, verb),
    resource: bounded(resources, resource),
    component: componentLabel(component),
  });
}
