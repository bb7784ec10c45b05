/**
 * Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) and
 * `PartialObjectMetadata` transforms, as kubectl and metadata informers ask for them. Pods and
 * nodes get kubectl's usual columns; every other type the default Name / Created At table.
 * @module
 */
import type { Json } from "./fixtures.ts";
import type { ListMetaJson } from "./encoding.ts";
import type { ResourceType } from "./resources.ts";
import type { Entry } from "./store.ts";

/** What `rows[].object` holds: nothing, the object's metadata, or the whole object. */
export type IncludeObject = "None" | "Metadata" | "Object";

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell: (object: Json) => unknown;
}

const NAME_DOC = "Name must be unique within a namespace. More info: " +
  "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const CREATED_DOC = "CreationTimestamp is a timestamp representing the server time when this " +
  "object was created.";

const meta = (object: Json) => object.metadata as Json;
const nameColumn: Column = {
  name: "Name",
  type: "string",
  format: "name",
  description: NAME_DOC,
  priority: 0,
  cell: (o) => meta(o).name,
};
const ageColumn: Column = {
  name: "Age",
  type: "string",
  format: "",
  description: CREATED_DOC,
  priority: 0,
  cell: (o) => age(meta(o).creationTimestamp as string | undefined),
};

function column(name: string, priority: number, cell: Column["cell"]): Column {
  return { name, type: "string", format: "", description: name, priority, cell };
}

function containerStatuses(o: Json): Json[] {
  return ((o.status as Json | undefined)?.containerStatuses as Json[] | undefined) ?? [];
}

const COLUMNS: Record<string, Column[]> = {
  pods: [
    nameColumn,
    column("Ready", 0, (o) => {
      const containers = ((o.spec as Json).containers as unknown[] | undefined)?.length ?? 0;
      return `${containerStatuses(o).filter((s) => s.ready).length}/${containers}`;
    }),
    column("Status", 0, (o) => (o.status as Json | undefined)?.phase ?? ""),
    column(
      "Restarts",
      0,
      (o) => String(containerStatuses(o).reduce((n, s) => n + Number(s.restartCount ?? 0), 0)),
    ),
    ageColumn,
    column("IP", 1, (o) => (o.status as Json | undefined)?.podIP ?? "<none>"),
    column("Node", 1, (o) => (o.spec as Json).nodeName ?? "<none>"),
    column(
      "Nominated Node",
      1,
      (o) => (o.status as Json | undefined)?.nominatedNodeName ?? "<none>",
    ),
    column("Readiness Gates", 1, () => "<none>"),
  ],
  nodes: [
    nameColumn,
    column("Status", 0, (o) => {
      const conditions = ((o.status as Json | undefined)?.conditions as Json[] | undefined) ?? [];
      const ready = conditions.find((c) => c.type === "Ready");
      return ready?.status === "True" ? "Ready" : "NotReady";
    }),
    column("Roles", 0, (o) => {
      const roles = Object.keys((meta(o).labels as Json | undefined) ?? {})
        .filter((l) => l.startsWith("node-role.kubernetes.io/"))
        .map((l) => l.slice("node-role.kubernetes.io/".length));
      return roles.length ? roles.join(",") : "<none>";
    }),
    ageColumn,
    column("Version", 0, (o) =>
      ((o.status as Json | undefined)?.nodeInfo as Json | undefined)
        ?.kubeletVersion ?? ""),
  ],
};

const DEFAULT_COLUMNS: Column[] = [
  nameColumn,
  {
    name: "Created At",
    type: "date",
    format: "",
    description: CREATED_DOC,
    priority: 0,
    cell: (o) => meta(o).creationTimestamp,
  },
];

/** `metadata.creationTimestamp` as kubectl's short age (`42s`, `5m`, `3h`, `12d`, `2y`). */
function age(created: string | undefined): string {
  if (!created) return "<unknown>";
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(created)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400 * 2) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 86400 * 365 * 2) return `${Math.floor(seconds / 86400)}d`;
  return `${Math.floor(seconds / 86400 / 365)}y`;
}

/** The `PartialObjectMetadata` of an object. */
export function partialMetadata(object: Json): Json {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

/** A `PartialObjectMetadataList` of `items`. */
export function partialMetadataList(meta: ListMetaJson, items: readonly Entry[]): Json {
  return {
    kind: "PartialObjectMetadataList",
    apiVersion: "meta.k8s.io/v1",
    metadata: meta,
    items: items.map((e) => partialMetadata(e.object)),
  };
}

/** A `meta.k8s.io/v1` Table of `objects` of `type`. */
export function table(
  type: ResourceType,
  meta: ListMetaJson,
  objects: readonly Json[],
  include: IncludeObject,
): Json {
  const columns = COLUMNS[type.resource] ?? DEFAULT_COLUMNS;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: meta,
    columnDefinitions: columns.map(({ cell: _cell, ...definition }) => definition),
    rows: objects.map((object) => {
      const row: Json = { cells: columns.map((c) => c.cell(object) ?? "") };
      if (include === "Metadata") row.object = partialMetadata(object);
      else if (include === "Object") row.object = object;
      return row;
    }),
  };
}
