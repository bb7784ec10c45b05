/**
 * The fields holdfast can evaluate in field selectors, per resource, with their values rendered
 * as kube-apiserver's `ToSelectableFields` renders them (strings as is, booleans `"true"`/`"false"`,
 * integers in decimal; Go's zero value when the field is absent: `""`, `"false"`, `"0"`). Every
 * resource has `metadata.name` and `metadata.namespace`. Pure.
 * @module
 */

type Json = Record<string, unknown>;

/**
 * How a field's value is rendered: `text` is the first non-empty string among its paths (else
 * ""), `bool` is `"true"` only for JSON `true`, `int` is a number in decimal (else `"0"`).
 */
export type FieldRender = "text" | "bool" | "int";

/**
 * One selectable field as data: its field-selector name, how it is rendered, and the object paths
 * it reads (split at dots; a numeric key also indexes an array, as `status.podIPs.0.ip`).
 */
export interface SelectableFieldRead {
  field: string;
  render: FieldRender;
  paths: ReadonlyArray<readonly string[]>;
}

function read(field: string, render: FieldRender, ...paths: string[]): SelectableFieldRead {
  return { field, render, paths: paths.map((path) => path.split(".")) };
}

/** A `text` field read at `paths` (default: the field's own name). */
function text(field: string, ...paths: string[]): SelectableFieldRead {
  return read(field, "text", ...(paths.length > 0 ? paths : [field]));
}

/** The value at a path of a decoded object, or undefined. */
function at(object: Json, path: readonly string[]): unknown {
  let value: unknown = object;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Json)[key];
  }
  return value;
}

/** Renders `read` from a decoded object, as Go's `strconv` renders the value (absent: zero). */
function render(object: Json, { render, paths }: SelectableFieldRead): string {
  if (render === "bool") return at(object, paths[0]) === true ? "true" : "false";
  if (render === "int") {
    const value = at(object, paths[0]);
    return typeof value === "number" ? String(value) : "0";
  }
  for (const path of paths) {
    const value = at(object, path);
    if (typeof value === "string" && value !== "") return value;
  }
  return "";
}

const META: readonly SelectableFieldRead[] = [text("metadata.name"), text("metadata.namespace")];

/**
 * Per-resource fields beyond metadata. Events read the events.k8s.io/v1 names too (`regarding`,
 * `reportingController`, `deprecatedSource`), as both versions share one storage and field set.
 */
const SPECIFIC: Readonly<Record<string, readonly SelectableFieldRead[]>> = {
  pods: [
    text("spec.nodeName"),
    text("spec.restartPolicy"),
    text("spec.schedulerName"),
    text("spec.serviceAccountName"),
    read("spec.hostNetwork", "bool", "spec.hostNetwork"),
    text("status.phase"),
    // The pod strategy reads the internal podIPs[0], which v1→internal conversion sets from
    // `podIP` when both are present: the singular field is authoritative.
    text("status.podIP", "status.podIP", "status.podIPs.0.ip"),
    text("status.nominatedNodeName"),
  ],
  services: [text("spec.clusterIP"), text("spec.type")],
  nodes: [read("spec.unschedulable", "bool", "spec.unschedulable")],
  secrets: [text("type")],
  namespaces: [
    text("status.phase"),
    // kube-apiserver keeps this legacy alias of metadata.name for namespaces.
    text("name", "metadata.name"),
  ],
  events: [
    text("involvedObject.kind", "involvedObject.kind", "regarding.kind"),
    text("involvedObject.namespace", "involvedObject.namespace", "regarding.namespace"),
    text("involvedObject.name", "involvedObject.name", "regarding.name"),
    text("involvedObject.uid", "involvedObject.uid", "regarding.uid"),
    text("involvedObject.apiVersion", "involvedObject.apiVersion", "regarding.apiVersion"),
    text(
      "involvedObject.resourceVersion",
      "involvedObject.resourceVersion",
      "regarding.resourceVersion",
    ),
    text("involvedObject.fieldPath", "involvedObject.fieldPath", "regarding.fieldPath"),
    text("reason"),
    text("reportingComponent", "reportingComponent", "reportingController"),
    // The event strategy falls back to the reporting controller when the source is empty.
    text(
      "source",
      "source.component",
      "deprecatedSource.component",
      "reportingComponent",
      "reportingController",
    ),
    text("type"),
  ],
  replicasets: [read("status.replicas", "int", "status.replicas")],
  replicationcontrollers: [read("status.replicas", "int", "status.replicas")],
  jobs: [read("status.successful", "int", "status.succeeded")],
};

const FIELDS = new Map<string, readonly SelectableFieldRead[]>(
  Object.entries(SPECIFIC).map(([resource, fields]) => [resource, [...META, ...fields]]),
);

const PATHS = new Map<string, readonly string[]>(
  [...FIELDS].map(([resource, fields]) => [resource, fields.map(({ field }) => field)]),
);

const META_PATHS: readonly string[] = META.map(({ field }) => field);

/** The field-selector paths holdfast evaluates for `resource` (plural, e.g. `pods`). */
export function selectableFieldPaths(resource: string): readonly string[] {
  return PATHS.get(resource) ?? META_PATHS;
}

/**
 * The selectable fields of `resource` as data: what each reads and how it renders, so a reader
 * that decodes only those paths (the JSON sparse reader) needs no table of its own.
 */
export function selectableFieldReads(resource: string): readonly SelectableFieldRead[] {
  return FIELDS.get(resource) ?? META;
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
  for (const read of selectableFieldReads(resource)) fields[read.field] = render(object, read);
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
