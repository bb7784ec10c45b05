/**
 * The simulator's Pod protobuf schema and its encoding: the schema's field numbers read the
 * k8s-api-testdata Pod as its JSON, and the seeded pods are served in protobuf with all their
 * content, smaller than in JSON.
 */
import assert from "node:assert/strict";
import { decodeEnvelope, decodeList } from "../../../src/kube/protobuf/mod.ts";
import type { RawObject } from "../../../src/kube/types.ts";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { POD_BODY } from "../../../scripts/apiserver-sim/pod_schema.ts";
import { DEFAULT_TESTDATA_DIR } from "../../../scripts/apiserver-sim/protobuf.ts";
import { readMessage } from "../../../scripts/apiserver-sim/protobuf_body.ts";
import { encodeMessage, encodeTime } from "../../../scripts/apiserver-sim/protobuf_encode.ts";
import type { MessageSchema } from "../../../scripts/apiserver-sim/protobuf_schema.ts";
import { type Json, request } from "./helpers.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";

function isEmpty(value: unknown): boolean {
  if (value === "" || value === 0 || value === false || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as Json).length === 0;
}

/** `json` as `readMessage` renders it: only the fields `schema` names, empty values left out. */
function project(json: Json, schema: MessageSchema): Json {
  const out: Json = {};
  for (const field of Object.values(schema)) {
    if (field.inline) {
      Object.assign(out, project(json, field.type as MessageSchema));
      continue;
    }
    const value = json[field.name];
    if (value === undefined) continue;
    const one = (element: Json) =>
      typeof field.type === "object" && !field.map ? project(element, field.type) : element;
    out[field.name] = field.repeated ? value.map(one) : field.map ? value : one(value);
  }
  for (const key of Object.keys(out)) if (isEmpty(out[key])) delete out[key];
  return out;
}

/** `value` with its empty values left out, recursively (as Go's `omitempty` would). */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    const kept = withoutEmpty(inner);
    if (!isEmpty(kept)) out[key] = kept;
  }
  return out;
}

Deno.test("pod schema: its field numbers read the k8s-api-testdata Pod as the fixture's JSON", async () => {
  const pb = await Deno.readFile(new URL("core.v1.Pod.pb", DEFAULT_TESTDATA_DIR));
  const json = JSON.parse(
    await Deno.readTextFile(new URL("core.v1.Pod.json", DEFAULT_TESTDATA_DIR)),
  );
  const read = readMessage(decodeEnvelope(pb).raw, POD_BODY);
  assert.deepEqual(read, project(json, POD_BODY));
  // The schema reaches into the fixture: containers, volumes and container statuses included.
  const spec = read.spec as Json;
  assert.ok(spec.containers[0].livenessProbe.httpGet.port !== undefined);
  assert.equal(spec.volumes[0].configMap.name, "nameValue");
  assert.ok((read.status as Json).containerStatuses[0].state.terminated.exitCode !== undefined);
});

Deno.test("pod schema: the seeded pods are served in protobuf whole, each no larger than its JSON", async () => {
  await using sim = await startSimulator({ scale: { pods: 120, nodes: 3, namespaces: 2 } });
  const { body: json } = await request(`${sim.url}/api/v1/pods`);
  const response = await fetch(`${sim.url}/api/v1/pods`, { headers: { accept: PROTOBUF } });
  const pods = decodeList(new Uint8Array(await response.arrayBuffer()))
    .flatMap((part) => part.type === "item" ? [part.object] : []) as RawObject[];
  assert.equal(pods.length, 120);
  const utf8 = new TextEncoder();
  pods.forEach((pod, i) => {
    const object: Json = json.items[i];
    const name = object.metadata.name;
    assert.equal(pod.meta.name, name);
    assert.deepEqual(
      readMessage(pod.bytes, POD_BODY),
      withoutEmpty({ spec: object.spec, status: object.status }),
      name,
    );
    const jsonBytes = utf8.encode(JSON.stringify(object)).byteLength;
    assert.ok(pod.bytes.byteLength <= jsonBytes, `${name}: ${pod.bytes.byteLength} > ${jsonBytes}`);
  });
});

Deno.test("protobuf encode: maps sorted by key, repeated scalars unpacked, absent and null left out", () => {
  const schema: MessageSchema = {
    1: { name: "labels", type: "string", map: true },
    2: { name: "groups", type: "int64", repeated: true },
    3: { name: "missing", type: "string" },
    4: { name: "port", type: "intOrString" },
  };
  const bytes = encodeMessage(
    { labels: { b: "2", a: "1" }, groups: [5, 6], missing: null },
    schema,
  );
  assert.deepEqual(readMessage(bytes, schema), { labels: { a: "1", b: "2" }, groups: [5, 6] });
  assert.deepEqual([...bytes.subarray(0, 5)], [0x0a, 6, 0x0a, 1, "a".charCodeAt(0)]);
  for (const port of [8080, "http"]) {
    assert.deepEqual(readMessage(encodeMessage({ port }, schema), schema), { port });
  }
});

Deno.test("protobuf encode: times keep their fractional digits to the nanosecond", () => {
  const schema: MessageSchema = { 1: { name: "at", type: "microtime" } };
  const at = "2026-01-02T03:04:05.123456Z";
  assert.deepEqual(readMessage(encodeMessage({ at }, schema), schema), { at });
  assert.deepEqual(encodeTime("not a time"), new Uint8Array(0));
});
