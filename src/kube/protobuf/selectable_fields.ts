/**
 * The field selectors holdfast evaluates locally, located in protobuf by field-number paths from
 * the object's own message. Values are rendered as kube-apiserver renders them for field
 * selectors (its `ToSelectableFields` functions): strings as-is, bools as "true"/"false"; an
 * absent field gives "" or "false".
 *
 * Every number below is checked by tests against the `k8s-api-testdata` fixtures, whose string
 * fields hold "<fieldName>Value" (e.g. Pod 2→10 reads "nodeNameValue"):
 *
 * | kind (envelope)   | field selector                 | path           | message chain                  |
 * |-------------------|--------------------------------|----------------|--------------------------------|
 * | any               | metadata.name                  | 1→1            | ObjectMeta.name                |
 * | any               | metadata.namespace             | 1→3            | ObjectMeta.namespace           |
 * | v1 Pod            | spec.nodeName                  | 2→10           | Pod.spec, PodSpec.nodeName     |
 * | v1 Pod            | spec.restartPolicy             | 2→3            | PodSpec.restartPolicy          |
 * | v1 Pod            | spec.schedulerName             | 2→19           | PodSpec.schedulerName          |
 * | v1 Pod            | spec.serviceAccountName        | 2→8            | PodSpec.serviceAccountName     |
 * | v1 Pod            | spec.hostNetwork (bool)        | 2→11           | PodSpec.hostNetwork            |
 * | v1 Pod            | status.phase                   | 3→1            | Pod.status, PodStatus.phase    |
 * | v1 Pod            | status.podIP                   | 3→6, else 3→12→1 | PodStatus.podIP, podIPs[0].ip |
 * | v1 Pod            | status.nominatedNodeName       | 3→11           | PodStatus.nominatedNodeName    |
 * | v1 Node           | spec.unschedulable (bool)      | 2→4            | NodeSpec.unschedulable         |
 * | v1 Service        | spec.clusterIP                 | 2→3            | ServiceSpec.clusterIP          |
 * | v1 Service        | spec.type                      | 2→4            | ServiceSpec.type               |
 * | v1 Namespace      | status.phase                   | 3→1            | NamespaceStatus.phase          |
 * | v1 Secret         | type                           | 3              | Secret.type                    |
 * | v1 Event          | involvedObject.kind … fieldPath| 2→1…7          | ObjectReference kind 1,        |
 * |                   |                                |                | namespace 2, name 3, uid 4,    |
 * |                   |                                |                | apiVersion 5, resourceVersion 6,|
 * |                   |                                |                | fieldPath 7                    |
 * | v1 Event          | reason / type                  | 3 / 9          | Event.reason, Event.type       |
 * | v1 Event          | reportingComponent             | 14             | Event.reportingComponent       |
 * | v1 Event          | source                         | 5→1, else 14   | source.component, else         |
 * |                   |                                |                | reportingComponent             |
 *
 * `status.podIP` follows the v1→internal conversion (podIP wins, else podIPs[0]); `source` falls
 * back to reportingComponent as the apiserver does.
 * @module
 */
import type { ObjectMeta } from "../types.ts";
import type { TypeMeta } from "./envelope.ts";
import { findBytes, findBytesAt, findVarint } from "./message.ts";

/** Where one selectable field lives and how its value is rendered. */
export interface FieldRule {
  type: "string" | "bool";
  /** Field-number paths tried in order; the first non-empty value wins. */
  paths: readonly (readonly number[])[];
}

const text = (...paths: number[][]): FieldRule => ({ type: "string", paths });
const flag = (path: number[]): FieldRule => ({ type: "bool", paths: [path] });

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
    if (value !== undefined) return String(value !== 0n);
  }
  return rule.type === "string" ? "" : "false";
}
