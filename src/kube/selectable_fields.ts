/**
 * The fields holdfast can evaluate in field selectors, per resource, with their values rendered
 * as kube-apiserver's `ToSelectableFields` renders them (strings as is, booleans `"true"`/`"false"`,
 * integers in decimal; Go's zero value when the field is absent: `""`, `"false"`, `"0"`). Every
 * resource has `metadata.name` and `metadata.namespace`. Pure.
 * @module
 */

type Json = Record<string, unknown>;
type Render = (object: Json) => string;

/** The value at a dotted path of a decoded object, or undefined. */
function at(object: Json, path: readonly string[]): unknown {
  let value: unknown = object;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Json)[key];
  }
  return value;
}

/** Renders the non-empty string at the first of `paths` that holds one, else "". */
function text(...paths: string[]): Render {
  const split = paths.map((path) => path.split("."));
  return (object) => {
    for (const path of split) {
      const value = at(object, path);
      if (typeof value === "string" && value !== "") return value;
    }
    return "";
  };
}

/** Renders a boolean as Go's `strconv.FormatBool` (absent is false). */
function bool(path: string): Render {
  const split = path.split(".");
  return (object) => at(object, split) === true ? "true" : "false";
}

/** Renders an integer as Go's `strconv.Itoa` (absent is 0). */
function int(path: string): Render {
  const split = path.split(".");
  return (object) => {
    const value = at(object, split);
    return typeof value === "number" ? String(value) : "0";
  };
}

const META: ReadonlyArray<readonly [string, Render]> = [
  ["metadata.name", text("metadata.name")],
  ["metadata.namespace", text("metadata.namespace")],
];

/**
 * Per-resource fields beyond metadata. Events read the events.k8s.io/v1 names too (`regarding`,
 * `reportingController`, `deprecatedSource`), as both versions share one storage and field set.
 */
const SPECIFIC: Readonly<Record<string, ReadonlyArray<readonly [string, Render]>>> = {
  pods: [
    ["spec.nodeName", text("spec.nodeName")],
    ["spec.restartPolicy", text("spec.restartPolicy")],
    ["spec.schedulerName", text("spec.schedulerName")],
    ["spec.serviceAccountName", text("spec.serviceAccountName")],
    ["spec.hostNetwork", bool("spec.hostNetwork")],
    ["status.phase", text("status.phase")],
    // The pod strategy reads the internal podIPs[0], which v1→internal conversion sets from
    // `podIP` when both are present: the singular field is authoritative.
    ["status.podIP", text("status.podIP", "status.podIPs.0.ip")],
    ["status.nominatedNodeName", text("status.nominatedNodeName")],
  ],
  services: [
    ["spec.clusterIP", text("spec.clusterIP")],
    ["spec.type", text("spec.type")],
  ],
  nodes: [["spec.unschedulable", bool("spec.unschedulable")]],
  secrets: [["type", text("type")]],
  namespaces: [
    ["status.phase", text("status.phase")],
    // kube-apiserver keeps this legacy alias of metadata.name for namespaces.
    ["name", text("metadata.name")],
  ],
  events: [
    ["involvedObject.kind", text("involvedObject.kind", "regarding.kind")],
    ["involvedObject.namespace", text("involvedObject.namespace", "regarding.namespace")],
    ["involvedObject.name", text("involvedObject.name", "regarding.name")],
    ["involvedObject.uid", text("involvedObject.uid", "regarding.uid")],
    ["involvedObject.apiVersion", text("involvedObject.apiVersion", "regarding.apiVersion")],
    [
      "involvedObject.resourceVersion",
      text("involvedObject.resourceVersion", "regarding.resourceVersion"),
    ],
    ["involvedObject.fieldPath", text("involvedObject.fieldPath", "regarding.fieldPath")],
    ["reason", text("reason")],
    ["reportingComponent", text("reportingComponent", "reportingController")],
    // The event strategy falls back to the reporting controller when the source is empty.
    [
      "source",
      text(
        "source.component",
        "deprecatedSource.component",
        "reportingComponent",
        "reportingController",
      ),
    ],
    ["type", text("type")],
  ],
  replicasets: [["status.replicas", int("status.replicas")]],
  replicationcontrollers: [["status.replicas", int("status.replicas")]],
  jobs: [["status.successful", int("status.succeeded")]],
};

const FIELDS = new Map<string, ReadonlyArray<readonly [string, Render]>>(
  Object.entries(SPECIFIC).map(([resource, fields]) => [resource, [...META, ...fields]]),
);

const PATHS = new Map<string, readonly string[]>(
  [...FIELDS].map(([resource, fields]) => [resource, fields.map(([path]) => path)]),
);

const META_PATHS: readonly string[] = META.map(([path]) => path);

/** The field-selector paths holdfast evaluates for `resource` (plural, e.g. `pods`). */
export function selectableFieldPaths(resource: string): readonly string[] {
  return PATHS.get(resource) ?? META_PATHS;
}

/**
 * The selectable fields of a decoded `object` of `resource`, rendered as kube-apiserver does
 * (missing strings `""`, missing booleans `"false"`, missing integers `"0"`).
 */
export function selectableFieldsOf(
  object: Record<string, unknown>,
  resource: string,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [path, render] of FIELDS.get(resource) ?? META) fields[path] = render(object);
  return fields;
}

/** The API group of each resource in the table above (a same-named custom resource differs). */
const GROUP_OF: Readonly<Record<string, string>> = { replicasets: "apps", jobs: "batch" };

/** Core resources kube-apiserver registers no field conversion for: metadata fields only. */
const METADATA_ONLY = new Set([
  "configmaps",
  "endpoints",
  "limitranges",
  "persistentvolumeclaims",
  "podtemplates",
  "resourcequotas",
  "serviceaccounts",
]);

/**
 * The message of the 400 BadRequest kube-apiserver answers when a field selector names a field
 * `resource` (of API group `group`) does not support, or `undefined` when every field is
 * supported or holdfast does not know the resource's fields (custom resources, other groups).
 * Resources with their own field conversion say `field label not supported: X`; the others
 * fall back to apimachinery's default conversion and its wording.
 */
export function unsupportedFieldMessage(
  group: string,
  resource: string,
  fields: readonly string[],
): string | undefined {
  const specific = Object.hasOwn(SPECIFIC, resource) && (GROUP_OF[resource] ?? "") === group;
  const metadataOnly = group === "" && METADATA_ONLY.has(resource);
  if (!specific && !metadataOnly) return undefined;
  const supported = selectableFieldPaths(specific ? resource : "");
  const field = fields.find((name) => !supported.includes(name));
  if (field === undefined) return undefined;
  return specific
    ? `field label not supported: ${field}`
    : `${
      JSON.stringify(field)
    } is not a known field selector: only "metadata.name", "metadata.namespace"`;
}
