/**
 * Which stored objects a list or watch selects: namespace, label selector and field selector,
 * with the field names kube-apiserver supports per resource (others are a 400).
 * @module
 */
import { type FieldSelector, matchesFields } from "../../src/kube/field_selector.ts";
import { type LabelSelector, matchesLabels } from "../../src/kube/label_selector.ts";
import { selectableFieldPaths } from "../../src/kube/selectable_fields.ts";
import { badRequest, type Status } from "../../src/kube/status.ts";
import type { ResourceType } from "./resources.ts";
import type { Entry } from "./store.ts";

/** Whether an object is selected. */
export type Predicate = (entry: Entry) => boolean;

/**
 * The predicate for objects of `type` in `namespace` ("" for all) matching both selectors, or a
 * 400 Status when the field selector names a field the resource does not support.
 */
export function selection(
  type: ResourceType,
  namespace: string,
  labels: LabelSelector,
  fields: FieldSelector,
): Predicate | Status {
  const supported = selectableFieldPaths(type.custom ? "" : type.resource);
  const unsupported = fields.find((r) => !supported.includes(r.field));
  if (unsupported) return badRequest(`field label not supported: ${unsupported.field}`);
  const inNamespace = namespace && type.namespaced ? namespace : undefined;
  return (entry) =>
    (inNamespace === undefined || entry.metadata.namespace === inNamespace) &&
    (labels.length === 0 || matchesLabels(labels, entry.labels)) &&
    (fields.length === 0 || matchesFields(fields, entry.fields));
}
