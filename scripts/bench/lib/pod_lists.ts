/**
 * Pod lists for decoding benchmarks, in both wire formats: JSON pods from the captured kind
 * cluster's PodList, protobuf pods derived from the Pod fixture by rewriting metadata fields; and
 * the cache query the cache benchmarks store them under.
 * @module
 */
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { encodeListChunks } from "../../../src/kube/protobuf/list_encoder.ts";
import {
  setName,
  setNamespace,
  setResourceVersion,
  setString,
} from "../../../src/kube/protobuf/rewrite.ts";
import type { QueryIdentity } from "../../../src/cache/query.ts";
import type { RawObject } from "../../../src/kube/types.ts";

const fixtures = new URL("../../../../shared/fixtures/", import.meta.url);

/** The JSON text of `count` pods (real captured pods, renamed), one string each. */
export function jsonPods(count: number): string[] {
  const replay = JSON.parse(
    Deno.readTextFileSync(new URL("captured/k8s-openapi-v1.36.pod-list.replay.json", fixtures)),
  );
  const template = JSON.parse(replay[0].response_body) as {
    items: Array<{ metadata: { name: string } }>;
  };
  return Array.from({ length: count }, (_, i) => {
    const pod = template.items[i % template.items.length];
    return JSON.stringify({ ...pod, metadata: { ...pod.metadata, name: `pod-${i}` } });
  });
}

/** A JSON PodList body of `count` pods, as kube-apiserver writes it. */
export function jsonPodList(count: number): Uint8Array {
  return new TextEncoder().encode(
    `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"554"},"items":[${
      jsonPods(count).join(",")
    }]}\n`,
  );
}

/** `count` protobuf pods derived from the Pod fixture (name, namespace, RV, spec.nodeName). */
export function protobufPods(count: number): RawObject[] {
  const template = protobufCodec.decodeObject(
    Deno.readFileSync(new URL("k8s-api-testdata/core.v1.Pod.pb", fixtures)),
    "pods",
  );
  return Array.from({ length: count }, (_, i) => {
    let bytes = setName(template.bytes, `pod-${i}`);
    bytes = setNamespace(bytes, `ns-${i % 20}`);
    bytes = setResourceVersion(bytes, String(100000 + i));
    bytes = setString(bytes, [2, 10], `node-${i % 100}`);
    return { ...template, bytes };
  });
}

/** A protobuf PodList body of `pods`. */
export function protobufPodList(pods: RawObject[]): Uint8Array {
  const meta = { apiVersion: "v1", kind: "PodList", resourceVersion: "200000", continue: "" };
  const chunks = [...encodeListChunks(meta, meta, pods.map((pod) => pod.bytes))];
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((offset, c) => (body.set(c, offset), offset + c.length), 0);
  return body;
}

/** `body` cut into `size`-byte chunks, as fetch delivers a response. */
export function chunksOf(body: Uint8Array, size = 64 * 1024): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size));
  return chunks;
}

/** A cluster-wide pods query of `component` (no namespace, selectors or transform). */
export function podsQuery(component: string): QueryIdentity {
  return {
    component,
    group: "",
    version: "v1",
    resource: "pods",
    namespace: "",
    labelSelector: "",
    fieldSelector: "",
    transform: "",
  };
}
