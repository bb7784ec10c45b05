/**
 * Test helpers for the filters: objects derived from the shared `k8s-api-testdata` fixtures in
 * both encodings (the same change applied to the JSON twin and to the protobuf message), the
 * list, watch and single-object bodies that carry them, and a runner that pushes a body through
 * the response filter a request qualifies for, cut into small chunks.
 * @module
 */
import assert from "node:assert/strict";
import { encodeEnvelope, type TypeMeta } from "../../src/kube/protobuf/envelope.ts";
import { FrameSplitter } from "../../src/kube/protobuf/frames.ts";
import { decodeList } from "../../src/kube/protobuf/list_decoder.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import { encodeListChunks } from "../../src/kube/protobuf/list_encoder.ts";
import {
  replaceField,
  setLabels,
  setName,
  setNamespace,
  setString,
} from "../../src/kube/protobuf/rewrite.ts";
import { decodeWatchFrame, encodeWatchFrame } from "../../src/kube/protobuf/watch.ts";
import { concat } from "../../src/streams/concat.ts";
import { messageField, stringField } from "../../src/kube/protobuf/wire.ts";
import { decodeEnvelope } from "../../src/kube/protobuf/envelope.ts";
import type { ResponseFilter } from "../../src/filters/chain.ts";
import type { ClusterView } from "../../src/filters/cluster.ts";
import type { JsonObject } from "../../src/filters/filter.ts";
import { classify } from "../../src/proxy/classify.ts";
import { readJson, readPb } from "../kube/protobuf/fixtures.ts";

/** One object in both encodings: the parsed JSON and the protobuf message (no envelope). */
export interface Twin {
  json: JsonObject;
  pb: Uint8Array;
}

/** Type metadata of the filtered kinds. */
export const TYPES = {
  services: { apiVersion: "v1", kind: "Service" },
  endpointslices: { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" },
  configmaps: { apiVersion: "v1", kind: "ConfigMap" },
} as const;

/** Which fixture each resource's objects are derived from. */
const FIXTURES = {
  services: "core.v1.Service",
  endpointslices: "discovery.k8s.io.v1.EndpointSlice",
  configmaps: "core.v1.ConfigMap",
} as const;

function entries(fieldNo: number, map: Record<string, string>): Uint8Array[] {
  return Object.keys(map).sort().map((key) =>
    messageField(fieldNo, concat([stringField(1, key), stringField(2, map[key])]))
  );
}

// deno-lint-ignore no-explicit-any
type AnyJson = any;

function base(
  resource: keyof typeof FIXTURES,
  namespace: string,
  name: string,
): { json: AnyJson; pb: Uint8Array } {
  const json = readJson(FIXTURES[resource]);
  json.metadata.namespace = namespace;
  json.metadata.name = name;
  const pb = setName(setNamespace(decodeEnvelope(readPb(FIXTURES[resource])).raw, namespace), name);
  return { json, pb };
}

/** A Service named `namespace/name` of `type`, with `annotations`; its first port is `https`. */
export function service(
  namespace: string,
  name: string,
  type = "ClusterIP",
  annotations: Record<string, string> = {},
): Twin {
  const { json, pb } = base("services", namespace, name);
  json.metadata.annotations = annotations;
  json.spec.type = type;
  json.spec.ports[0].name = "https";
  let message = replaceField(pb, [1, 12], entries(12, annotations));
  message = setString(message, [2, 4], type);
  message = setString(message, [2, 1, 1], "https");
  return { json, pb: message };
}

/** An EndpointSlice of Service `service`, one endpoint per entry of `nodes` (undefined: none). */
export function endpointSlice(
  namespace: string,
  name: string,
  serviceName: string,
  nodes: (string | undefined)[],
): Twin {
  const { json, pb } = base("endpointslices", namespace, name);
  const labels = { "kubernetes.io/service-name": serviceName };
  json.metadata.labels = labels;
  const template = json.endpoints[0];
  json.endpoints = nodes.map((node) => {
    const endpoint = structuredClone(template);
    if (node === undefined) delete endpoint.nodeName;
    else endpoint.nodeName = node;
    return endpoint;
  });
  const endpointPb = findBytes(pb, 2)!;
  const endpoints = nodes.map((node) =>
    messageField(
      2,
      node === undefined ? replaceField(endpointPb, [6], []) : setString(endpointPb, [6], node),
    )
  );
  return { json, pb: replaceField(setLabels(pb, labels), [2], endpoints) };
}

/** A ConfigMap whose `data` holds only `config.conf` = `config`. */
export function configMap(namespace: string, name: string, config: string): Twin {
  const { json, pb } = base("configmaps", namespace, name);
  json.data = { "config.conf": config };
  return { json, pb: replaceField(pb, [2], entries(2, { "config.conf": config })) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A JSON list body of `items`. */
export function jsonList(typeMeta: TypeMeta, items: JsonObject[]): Uint8Array {
  const list = {
    kind: `${typeMeta.kind}List`,
    apiVersion: typeMeta.apiVersion,
    metadata: { resourceVersion: "4711", remainingItemCount: 0 },
    items,
  };
  return encoder.encode(JSON.stringify(list));
}

/** A protobuf list body of `items`. */
export function pbList(typeMeta: TypeMeta, items: Uint8Array[]): Uint8Array {
  const listType = { apiVersion: typeMeta.apiVersion, kind: `${typeMeta.kind}List` };
  return concat([
    ...encodeListChunks(listType, { resourceVersion: "4711", continue: "" }, items),
  ]);
}

/** A watch event type and object. */
export type Event<T> = [type: string, object: T];

/** A JSON watch body, one event a line. */
export function jsonWatch(events: Event<JsonObject>[]): Uint8Array {
  const lines = events.map(([type, object]) => JSON.stringify({ type, object }) + "\n");
  return encoder.encode(lines.join(""));
}

/** A protobuf watch body, one frame an event. */
export function pbWatch(typeMeta: TypeMeta, events: Event<Uint8Array>[]): Uint8Array {
  // deno-lint-ignore no-explicit-any
  return concat(events.map(([type, raw]) => encodeWatchFrame(type as any, typeMeta, raw)));
}

/** A single enveloped protobuf object. */
export function pbObject(typeMeta: TypeMeta, raw: Uint8Array): Uint8Array {
  return encodeEnvelope(typeMeta, raw);
}

/** A single JSON object. */
export function jsonObject(object: JsonObject): Uint8Array {
  return encoder.encode(JSON.stringify(object));
}

/** The parsed JSON of `bytes`. */
export function parse(bytes: Uint8Array): JsonObject {
  return JSON.parse(decoder.decode(bytes));
}

/** The item messages of a protobuf list body. */
export function pbListItems(body: Uint8Array): Uint8Array[] {
  return decodeList(body).flatMap((part) => part.type === "item" ? [part.object.bytes] : []);
}

/** The events of a protobuf watch body. */
export function pbWatchEvents(body: Uint8Array): Event<Uint8Array>[] {
  const events: Event<Uint8Array>[] = [];
  new FrameSplitter().push(body, (frame) => {
    const event = decodeWatchFrame(frame);
    events.push([event.type, event.object.bytes]);
  });
  return events;
}

/** The events of a JSON watch body. */
export function jsonWatchEvents(body: Uint8Array): Event<JsonObject>[] {
  return decoder.decode(body).split("\n").filter((line) => line !== "").map((line) => {
    const event = JSON.parse(line);
    return [event.type, event.object];
  });
}

/** The request a runner sends, and the response's content type. */
export interface Call {
  path: string;
  component: string;
  contentType: string;
}

/** Runs `body` through what `filter` makes of `call`, in 7-byte chunks; unchanged if nothing. */
export async function run(
  filter: ResponseFilter,
  call: Call,
  body: Uint8Array,
): Promise<{ applied: boolean; body: Uint8Array }> {
  const url = new URL(call.path, "http://holdfast.test");
  const request = new Request(url, { headers: { "user-agent": `${call.component}/v1.37.0` } });
  const classified = classify(request, url, "*");
  const response = new Response(null, { headers: { "content-type": call.contentType } });
  const transform = filter(classified, response);
  const chunks = [];
  for (let at = 0; at < body.length; at += 7) chunks.push(body.slice(at, at + 7));
  const stream = ReadableStream.from(chunks);
  const out = transform ? stream.pipeThrough(transform) : stream;
  return { applied: transform !== undefined, body: concat(await Array.fromAsync(out)) };
}

/** Content types of the two encodings, and of a protobuf watch. */
export const JSON_TYPE = "application/json";
export const PB_TYPE = "application/vnd.kubernetes.protobuf";
export const PB_WATCH_TYPE = "application/vnd.kubernetes.protobuf;stream=watch";

/** A fixed {@link ClusterView}. */
export function fixedCluster(options: {
  nodeName?: string;
  pool?: string;
  poolNodes?: string[];
  services?: Record<string, Record<string, string>>;
}): ClusterView {
  return {
    nodeName: options.nodeName ?? "node-a",
    nodePool: () => Promise.resolve(options.pool),
    poolNodes: () => Promise.resolve(options.poolNodes && new Set(options.poolNodes)),
    serviceAnnotation: (namespace, name, key) => {
      const annotations = options.services?.[`${namespace}/${name}`];
      return Promise.resolve(annotations && (annotations[key] ?? null));
    },
  };
}

/** A request: its path and component. */
export type Request = Omit<Call, "contentType">;

/** A list of `twins` filtered in both encodings: the JSON list and the protobuf items. */
export async function filterList(
  filter: ResponseFilter,
  request: Request,
  typeMeta: TypeMeta,
  twins: Twin[],
) {
  const json = await run(
    filter,
    { ...request, contentType: JSON_TYPE },
    jsonList(typeMeta, twins.map((t) => t.json)),
  );
  const pb = await run(
    filter,
    { ...request, contentType: PB_TYPE },
    pbList(typeMeta, twins.map((t) => t.pb)),
  );
  assert.equal(json.applied, pb.applied);
  const list = parse(json.body);
  return {
    applied: json.applied,
    jsonBody: json.body,
    // deno-lint-ignore no-explicit-any
    json: list.items as any[],
    metadata: list.metadata,
    pb: pbListItems(pb.body),
  };
}

/** A watch of `events` filtered in both encodings. */
export async function filterWatch(
  filter: ResponseFilter,
  request: Request,
  typeMeta: TypeMeta,
  events: Event<Twin>[],
) {
  const json = await run(
    filter,
    { ...request, contentType: JSON_TYPE },
    jsonWatch(events.map(([type, twin]) => [type, twin.json])),
  );
  const pb = await run(
    filter,
    { ...request, contentType: PB_WATCH_TYPE },
    pbWatch(typeMeta, events.map(([type, twin]) => [type, twin.pb])),
  );
  return { json: jsonWatchEvents(json.body), pb: pbWatchEvents(pb.body) };
}

/** A single object filtered in both encodings (as sent when no filter applies). */
export async function filterGet(
  filter: ResponseFilter,
  request: Request,
  typeMeta: TypeMeta,
  twin: Twin,
) {
  const json = await run(filter, { ...request, contentType: JSON_TYPE }, jsonObject(twin.json));
  const pb = await run(filter, { ...request, contentType: PB_TYPE }, pbObject(typeMeta, twin.pb));
  assert.equal(json.applied, pb.applied);
  // deno-lint-ignore no-explicit-any
  const object: any = parse(json.body);
  return { applied: json.applied, json: object, pb: decodeEnvelope(pb.body).raw };
}
