/**
 * The JSON types a patched node or pod must keep, as kube-apiserver's decoding of the patch result
 * into the typed object enforces them (a field of the wrong type is `422 Invalid`, field `patch`):
 * `metadata` and `status` are objects, labels and annotations map strings to strings, and the
 * status fields of Node and Pod have their types. Without the schema only these are checked; they
 * are the ones a client reading the object back (kubelet) and the cache's selectors depend on.
 * Pure.
 * @module
 */

type Json = Record<string, unknown>;

const ARRAYS = [
  "conditions",
  "addresses",
  "images",
  "volumesInUse",
  "volumesAttached",
  "containerStatuses",
  "initContainerStatuses",
  "ephemeralContainerStatuses",
  "podIPs",
  "hostIPs",
  "resourceClaimStatuses",
];
const OBJECTS = ["nodeInfo", "daemonEndpoints", "capacity", "allocatable", "config"];
const STRINGS = ["phase", "podIP", "hostIP", "message", "reason", "qosClass", "nominatedNodeName"];

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function stringMapProblem(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== "string")) {
    return `${field} must map strings to strings`;
  }
}

/** Why `object` (a patched node or pod, as JSON) is not of its type's shape, if it is not. */
export function shapeProblem(object: Json): string | undefined {
  const { metadata, status } = object;
  if (!isObject(metadata)) return "metadata must be an object";
  const labels = stringMapProblem(metadata.labels, "metadata.labels");
  if (labels) return labels;
  const annotations = stringMapProblem(metadata.annotations, "metadata.annotations");
  if (annotations) return annotations;
  if (status === undefined || status === null) return undefined;
  if (!isObject(status)) return "status must be an object";
  for (const [field, value] of Object.entries(status)) {
    if (value === null) continue;
    if (ARRAYS.includes(field) && !Array.isArray(value)) return `status.${field} must be a list`;
    if (field === "conditions" && !(value as unknown[]).every(isObject)) {
      return "status.conditions must hold objects";
    }
    if (OBJECTS.includes(field) && !isObject(value)) return `status.${field} must be an object`;
    if (STRINGS.includes(field) && typeof value !== "string") {
      return `status.${field} must be a string`;
    }
  }
}
