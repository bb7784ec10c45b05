/**
 * The field selectors holdfast evaluates locally, located in protobuf by field-number paths from
 * the object's own message. Values are rendered as kube-apiserver renders them for field
 * selectors (its `ToSelectableFields` functions): strings as-is, bools as "true"/"false",
 * integers in decimal; an absent field gives "", "false" or "0".
 *
 * Paths are field numbers from the object's own message (Pod 2→10 = Pod.spec → PodSpec.nodeName).
 * Every number is checked by tests against the `k8s-api-testdata` fixtures, whose strings hold
 * "<fieldName>Value" (2→10 of the Pod fixture reads "nodeNameValue"), except those marked (*):
 * no fixture exists for those kinds, their numbers come from kubernetes/api `generated.proto`.
 *
 * - every kind: metadata.name 1→1, metadata.namespace 1→3 (ObjectMeta)
 * - v1 Pod: spec.nodeName 2→10, spec.restartPolicy 2→3, spec.schedulerName 2→19,
 *   spec.serviceAccountName 2→8, spec.hostNetwork 2→11 (bool), status.phase 3→1,
 *   status.podIP 3→6 else podIPs[0].ip 3→12→1 (the v1→internal conversion: podIP wins),
 *   status.nominatedNodeName 3→11
 * - v1 Node: spec.unschedulable 2→4 (bool)
 * - v1 Service: spec.clusterIP 2→3, spec.type 2→4
 * - v1 Namespace: status.phase 3→1, name 1→1 (legacy alias of metadata.name)
 * - v1 Secret: type 3
 * - v1 Event: involvedObject.{kind 2→1, namespace 2→2, name 2→3, uid 2→4, apiVersion 2→5,
 *   resourceVersion 2→6, fieldPath 2→7}, reason 3, type 9, reportingComponent 14,
 *   source 5→1 else 14 (source.component, else reportingComponent, as the apiserver does)
 * - events.k8s.io/v1 Event, same selector names: regarding 8→1…7, reason 7, type 11,
 *   reportingController 4, source deprecatedSource 12→1 else 4
 * - v1 ReplicationController (*): status.replicas 3→1 (int)
 * - apps/v1 ReplicaSet (*): status.replicas 3→1 (int)
 * - batch/v1 Job (*): status.successful = JobStatus.succeeded 3→5 (int)
 * @module
 */
import type { ObjectMeta } from "../types.ts";
import type { TypeMeta } from "./envelope.ts";
import { findBytes, findBytesAt, findVarint } from "./message.ts";

/** Where one selectable field lives and how its value is rendered. */
export interface FieldRule {
  type: "string" | "bool" | "int";
  /** Field-number paths tried in order; the first non-empty value wins. */
  paths: readonly (readonly number[])[];
}

const text = (...paths: number[][]): FieldRule => ({ type: "string", paths });
const flag = (path: number[]): FieldRule => ({ type: "bool", paths: [path] });
const count = (path: number[]): FieldRule => ({ type: "int", paths: [path] });

/** Type-specific selectable fields by `apiVersion/kind`; metadata.name/namespace apply to all. */
export const FIELD_RULES: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  "v1/Pod": {
    "spec.nodeName": text([2, 10]),
    "spec.restartPolicy": text([2, 3]),
    "spec.schedulerName": text([2, 19]),
    "spec.serviceAccountName": text([2, 8]),
    "spec.hostNetwork": flag([2, 11]),
    "status.phase": text([3, 1]),
    "status.podIP": text([3, 6], [3, 12, 1]),
    "status.nominatedNodeName": text([3, 11]),
  },
  "v1/Node": {
    "spec.unschedulable": flag([2, 4]),
  },
  "v1/Service": {
    "spec.clusterIP": text([2, 3]),
    "spec.type": text([2, 4]),
  },
  "v1/Namespace": {
    "status.phase": text([3, 1]),
    "name": text([1, 1]),
  },
  "v1/Secret": {
    "type": text([3]),
  },
  "v1/Event": {
    "involvedObject.kind": text([2, 1]),
    "involvedObject.namespace": text([2, 2]),
    "involvedObject.name": text([2, 3]),
    "involvedObject.uid": text([2, 4]),
    "involvedObject.apiVersion": text([2, 5]),
    "involvedObject.resourceVersion": text([2, 6]),
    "involvedObject.fieldPath": text([2, 7]),
    "reason": text([3]),
    "reportingComponent": text([14]),
    "source": text([5, 1], [14]),
    "type": text([9]),
  },
  "events.k8s.io/v1/Event": {
    "involvedObject.kind": text([8, 1]),
    "involvedObject.namespace": text([8, 2]),
    "involvedObject.name": text([8, 3]),
    "involvedObject.uid": text([8, 4]),
    "involvedObject.apiVersion": text([8, 5]),
    "involvedObject.resourceVersion": text([8, 6]),
    "involvedObject.fieldPath": text([8, 7]),
    "reason": text([7]),
    "reportingComponent": text([4]),
    "source": text([12, 1], [4]),
    "type": text([11]),
  },
  "v1/ReplicationController": {
    "status.replicas": count([3, 1]),
  },
  "apps/v1/ReplicaSet": {
    "status.replicas": count([3, 1]),
  },
  "batch/v1/Job": {
    "status.successful": count([3, 5]),
  },
};

const utf8 = new TextDecoder();

/** The selectable fields of an object of `typeMeta`, as field-selector strings. */
export function readSelectableFields(
  typeMeta: TypeMeta,
  object: Uint8Array,
  meta: ObjectMeta,
): Record<string, string> {
  const fields: Record<string, string> = {
    "metadata.name": meta.name,
    "metadata.namespace": meta.namespace,
  };
  const rules = FIELD_RULES[`${typeMeta.apiVersion}/${typeMeta.kind}`];
  if (rules === undefined) return fields;
  for (const [fieldPath, rule] of Object.entries(rules)) {
    fields[fieldPath] = readRule(object, rule);
  }
  return fields;
}

function readRule(object: Uint8Array, rule: FieldRule): string {
  for (const path of rule.paths) {
    const parent = findBytesAt(object, path.slice(0, -1));
    if (parent === undefined) continue;
    const fieldNo = path[path.length - 1];
    if (rule.type === "string") {
      const value = findBytes(parent, fieldNo);
      if (value !== undefined && value.length > 0) return utf8.decode(value);
      continue;
    }
    const value = findVarint(parent, fieldNo);
    if (value !== undefined) return rule.type === "bool" ? String(value !== 0n) : String(value);
  }
  return rule.type === "string" ? "" : rule.type === "bool" ? "false" : "0";
}
