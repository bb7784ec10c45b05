/**
 * Kubernetes protobuf answers. Every served object is its ObjectMeta encoded from its JSON — every
 * ObjectMeta field, managedFields included, in the order and with the empty fields Go writes — so
 * name, namespace, uid, resourceVersion, labels, annotations and timestamps read back as in the
 * JSON view, followed by its body:
 *
 * - Pods and ConfigMaps are encoded whole from their JSON by a schema (`pod_schema.ts`, the
 *   ConfigMap one of `protobuf_schema.ts`; see `protobuf_encode.ts` for what differs from Go's
 *   bytes), so their protobuf form carries the same content as their JSON and is, as for a real
 *   kube-apiserver, smaller than it (a pod's fields a schema leaves out are not served);
 * - any other kind keeps the body of the `k8s-api-testdata` fixture of its kind
 *   (`<group>.<version>.<Kind>.pb`, group `core` for v1), whose fuzzed content fills every field
 *   once.
 *
 * Either way every field selector holdfast evaluates for the kind (`FIELD_RULES`: Pod
 * spec.nodeName and status.phase, Service spec.clusterIP and spec.type, …) is then set to the
 * JSON object's value with holdfast's rewrite helpers. A derived message is computed once per
 * stored object state. Objects carrying only metadata (watch bookmarks) become a message holding
 * just their ObjectMeta; a `Status` uses the codec's Status encoder. Types without a fixture
 * (custom resources, CustomResourceDefinition, CSINode) have no protobuf form, so negotiation
 * falls back to JSON for them.
 * @module
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  decodeEnvelope,
  encodeEnvelope,
  encodeListChunks,
  encodeStatus,
  encodeWatchFrame,
  FIELD_RULES,
  type FieldRule,
  PROTOBUF_MEDIA_TYPE,
  PROTOBUF_WATCH_CONTENT_TYPE,
  replaceField,
  STATUS_TYPE_META,
  type TypeMeta,
} from "../../src/kube/protobuf/mod.ts";
import { selectableFieldsOf } from "../../src/kube/selectable_fields.ts";
import type { Status } from "../../src/kube/status.ts";
import { CHUNK_SIZE, type ServingCodec } from "./encoding.ts";
import type { Json } from "./fixtures.ts";
import { POD_BODY } from "./pod_schema.ts";
import { encodeMessage, encodeTime } from "./protobuf_encode.ts";
import { BODY_SCHEMAS, type MessageSchema } from "./protobuf_schema.ts";
import type { ResourceRegistry, ResourceType } from "./resources.ts";
import { Entry } from "./store.ts";

/** The default protobuf fixtures folder: `shared/fixtures/k8s-api-testdata/`. */
export const DEFAULT_TESTDATA_DIR = new URL(
  "../../../shared/fixtures/k8s-api-testdata/",
  import.meta.url,
);

/** The fixture file name of `type`, e.g. `core.v1.Pod.pb`, `apps.v1.Deployment.pb`. */
export function templateFile(type: ResourceType): string {
  return `${type.group || "core"}.${type.version}.${type.kind}.pb`;
}

/**
 * Reads the fixture message (the envelope's raw) of every built-in type of `registry` that has a
 * fixture in `dir`. Throws when a fixture's envelope names another kind.
 */
export async function loadTemplates(
  registry: ResourceRegistry,
  dir: URL = DEFAULT_TESTDATA_DIR,
): Promise<Map<ResourceType, Uint8Array>> {
  const templates = new Map<ResourceType, Uint8Array>();
  await Promise.all(
    registry.types.filter((type) => !type.custom).map(async (type) => {
      const file = templateFile(type);
      let body: Uint8Array;
      try {
        body = await Deno.readFile(new URL(file, dir));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return;
        throw error;
      }
      const envelope = decodeEnvelope(body);
      if (envelope.apiVersion !== type.groupVersion || envelope.kind !== type.kind) {
        throw new Error(`${file} holds ${envelope.apiVersion} ${envelope.kind}`);
      }
      templates.set(type, envelope.raw);
    }),
  );
  return templates;
}

/** The protobuf serving codec, plus which types it can encode. */
export interface ProtobufServingCodec extends ServingCodec {
  /** Whether objects of `type` have a protobuf form (a fixture to derive them from). */
  supports(type: ResourceType): boolean;
}

/** One field write of a selectable field: where, and how its value is encoded. */
interface FieldWrite {
  selector: string;
  type: FieldRule["type"];
  path: readonly number[];
}

interface Kind {
  type: ResourceType;
  typeMeta: TypeMeta;
  template: Uint8Array;
  /** The schema of a kind encoded whole from its JSON (see `ENCODED_WHOLE`). */
  body?: MessageSchema;
  writes: readonly FieldWrite[];
}

/** Builds the codec over the fixture messages of `templates` (see `loadTemplates`). */
export function protobufServingCodec(
  templates: ReadonlyMap<ResourceType, Uint8Array>,
): ProtobufServingCodec {
  const kinds = new Map<string, Kind>();
  for (const [type, template] of templates) {
    const key = `${type.groupVersion}/${type.kind}`;
    const typeMeta = { apiVersion: type.groupVersion, kind: type.kind };
    const writes = fieldWrites(FIELD_RULES[key] ?? {});
    kinds.set(key, { type, typeMeta, template, body: ENCODED_WHOLE[key], writes });
  }
  const kindOf = (apiVersion: unknown, kind: unknown): Kind => {
    const found = kinds.get(`${apiVersion}/${kind}`);
    if (!found) throw new TypeError(`no protobuf form for ${apiVersion} ${kind}`);
    return found;
  };
  const derived = new WeakMap<Entry, Uint8Array>();
  const entryMessage = (entry: Entry): Uint8Array => {
    let message = derived.get(entry);
    if (!message) {
      const kind = kindOf(entry.type.groupVersion, entry.type.kind);
      message = derive(kind, entry.object, entry.fields);
      derived.set(entry, message);
    }
    return message;
  };
  /** The typeMeta and own message of a stored object or of any other value. */
  const encoded = (object: Entry | Json): [TypeMeta, Uint8Array] => {
    if (object instanceof Entry) {
      return [kindOf(object.type.groupVersion, object.type.kind).typeMeta, entryMessage(object)];
    }
    if (object.kind === "Status") {
      return [STATUS_TYPE_META, decodeEnvelope(encodeStatus(asStatus(object))).raw];
    }
    const kind = kindOf(object.apiVersion, object.kind);
    if (Object.keys(object).every((key) => METADATA_ONLY.has(key))) {
      return [kind.typeMeta, metadataOnly(object.metadata as Json)];
    }
    return [kind.typeMeta, derive(kind, object, selectableFieldsOf(object, kind.type.resource))];
  };

  return {
    mediaType: PROTOBUF_MEDIA_TYPE,
    watchContentType: PROTOBUF_WATCH_CONTENT_TYPE,
    supports: (type) => templates.has(type),
    object: (entry) => encodeEnvelope(...encoded(entry)),
    status: (status) => encodeStatus(asStatus(status)),
    list(type, meta, items) {
      return encodeListChunks(
        { apiVersion: type.groupVersion, kind: type.listKind },
        {
          resourceVersion: meta.resourceVersion,
          continue: meta.continue ?? "",
          remainingItemCount: meta.remainingItemCount,
        },
        items.map(entryMessage),
        CHUNK_SIZE,
      );
    },
    watchEvent(type, object) {
      const [typeMeta, message] = encoded(object);
      return encodeWatchFrame(type as Parameters<typeof encodeWatchFrame>[0], typeMeta, message);
    },
  };
}

const METADATA_ONLY = new Set(["kind", "apiVersion", "metadata"]);

/**
 * The writes of a kind's selectable fields. Metadata paths are skipped (metadata is written
 * whole). A rule with fallback paths (Pod status.podIP: podIP, else podIPs[0].ip) gets the value
 * on every path, except a fallback that is another selector's own field (Event source falls back
 * to reportingComponent), which that selector writes.
 */
function fieldWrites(rules: Readonly<Record<string, FieldRule>>): FieldWrite[] {
  const own = new Set(Object.values(rules).map((rule) => rule.paths[0].join(".")));
  const writes: FieldWrite[] = [];
  for (const [selector, rule] of Object.entries(rules)) {
    rule.paths.forEach((path, i) => {
      if (path[0] === 1 || (i > 0 && own.has(path.join(".")))) return;
      writes.push({ selector, type: rule.type, path });
    });
  }
  return writes;
}

/**
 * The body schemas (all but metadata) of the kinds encoded whole from their JSON, by
 * `apiVersion/kind`.
 */
const ENCODED_WHOLE: Readonly<Record<string, MessageSchema>> = {
  "v1/ConfigMap": BODY_SCHEMAS["v1 ConfigMap"],
  "v1/Pod": POD_BODY,
};

/**
 * The message of `object`: its metadata, then its body encoded whole or the fixture's, with the
 * selectable `fields` written in.
 */
function derive(kind: Kind, object: Json, fields: Record<string, string>): Uint8Array {
  const metadata = lengthDelimited(1, encodeObjectMeta((object.metadata ?? {}) as Json));
  let message = kind.body
    ? concat(metadata, encodeMessage(object, kind.body))
    : replaceField(kind.template, [1], [metadata]);
  for (const write of kind.writes) {
    const value = fields[write.selector];
    if (value === undefined) continue;
    message = replaceField(message, write.path, [fieldElement(write, value)]);
  }
  return message;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** A message holding only `metadata` (field 1), as the simulator encodes bookmark objects. */
function metadataOnly(metadata: Json): Uint8Array {
  return lengthDelimited(1, encodeObjectMeta(metadata));
}

function lengthDelimited(fieldNo: number, payload: Uint8Array): Uint8Array {
  return new BinaryWriter().tag(fieldNo, WireType.LengthDelimited).bytes(payload).finish();
}

function fieldElement(write: FieldWrite, value: string): Uint8Array {
  const fieldNo = write.path[write.path.length - 1];
  const writer = new BinaryWriter();
  if (write.type === "string") writer.tag(fieldNo, WireType.LengthDelimited).string(value);
  else if (write.type === "bool") writer.tag(fieldNo, WireType.Varint).bool(value === "true");
  else writer.tag(fieldNo, WireType.Varint).int64(BigInt(value));
  return writer.finish();
}

/** A Status from its JSON form, with the fields the JSON leaves out on Success set to empty. */
function asStatus(json: Json): Status {
  return {
    ...json,
    status: json.status ?? "Failure",
    message: json.message ?? "",
    reason: json.reason ?? "",
    code: json.code ?? 0,
  } as Status;
}

const STRING_FIELDS: ReadonlyArray<readonly [number, string]> = [
  [1, "name"],
  [2, "generateName"],
  [3, "namespace"],
  [4, "selfLink"],
  [5, "uid"],
  [6, "resourceVersion"],
];

const utf8 = new TextEncoder();

const text = (value: unknown): string => typeof value === "string" ? value : "";
const list = (value: unknown): Json[] => Array.isArray(value) ? value : [];

/**
 * Encodes a JSON ObjectMeta as Go's generated marshaller does: fields in number order, the
 * non-pointer ones (strings, generation, creationTimestamp) always, pointers (deletionTimestamp,
 * deletionGracePeriodSeconds, owner flags, managedFields time and fieldsV1) only when set, map
 * entries sorted by key. Field numbers: name 1, generateName 2, namespace 3, selfLink 4, uid 5,
 * resourceVersion 6, generation 7, creationTimestamp 8, deletionTimestamp 9,
 * deletionGracePeriodSeconds 10, labels 11, annotations 12, ownerReferences 13 { kind 1, name 3,
 * uid 4, apiVersion 5, controller 6, blockOwnerDeletion 7 }, finalizers 14, managedFields 17
 * { manager 1, operation 2, apiVersion 3, time 4, fieldsType 6, fieldsV1 7 { raw 1 },
 * subresource 8 }.
 */
export function encodeObjectMeta(meta: Json): Uint8Array {
  const writer = new BinaryWriter();
  const string = (fieldNo: number, value: unknown) =>
    writer.tag(fieldNo, WireType.LengthDelimited).string(text(value));
  for (const [fieldNo, key] of STRING_FIELDS) string(fieldNo, meta[key]);
  writer.tag(7, WireType.Varint).int64(typeof meta.generation === "number" ? meta.generation : 0);
  writer.tag(8, WireType.LengthDelimited).bytes(encodeTime(meta.creationTimestamp));
  if (text(meta.deletionTimestamp)) {
    writer.tag(9, WireType.LengthDelimited).bytes(encodeTime(meta.deletionTimestamp));
  }
  if (typeof meta.deletionGracePeriodSeconds === "number") {
    writer.tag(10, WireType.Varint).int64(meta.deletionGracePeriodSeconds);
  }
  for (const [fieldNo, map] of [[11, meta.labels], [12, meta.annotations]] as const) {
    const entries = (map ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(entries).sort()) {
      writer.tag(fieldNo, WireType.LengthDelimited).fork();
      string(1, key);
      string(2, entries[key]);
      writer.join();
    }
  }
  for (const ref of list(meta.ownerReferences)) {
    writer.tag(13, WireType.LengthDelimited).fork();
    string(1, ref.kind);
    string(3, ref.name);
    string(4, ref.uid);
    string(5, ref.apiVersion);
    if (typeof ref.controller === "boolean") writer.tag(6, WireType.Varint).bool(ref.controller);
    if (typeof ref.blockOwnerDeletion === "boolean") {
      writer.tag(7, WireType.Varint).bool(ref.blockOwnerDeletion);
    }
    writer.join();
  }
  for (const finalizer of list(meta.finalizers)) string(14, finalizer);
  for (const entry of list(meta.managedFields)) {
    writer.tag(17, WireType.LengthDelimited).fork();
    string(1, entry.manager);
    string(2, entry.operation);
    string(3, entry.apiVersion);
    if (text(entry.time)) writer.tag(4, WireType.LengthDelimited).bytes(encodeTime(entry.time));
    string(6, entry.fieldsType);
    if (entry.fieldsV1 !== undefined && entry.fieldsV1 !== null) {
      const raw = utf8.encode(JSON.stringify(entry.fieldsV1));
      writer.tag(7, WireType.LengthDelimited).fork()
        .tag(1, WireType.LengthDelimited).bytes(raw)
        .join();
    }
    string(8, entry.subresource);
    writer.join();
  }
  return writer.finish();
}
