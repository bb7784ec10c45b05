/**
 * The requests the differential comparison sends, in order, to kube-apiserver and to the
 * simulator alike: writes that set up the same objects in a namespace of its own (`simdiff`) and
 * its Node, then reads of every kind the API has — GET, LIST with resourceVersion, limit and
 * continue, selectors, WATCH with bookmarks and the watch-list, protobuf, errors (404, 405, 406,
 * 409, 410, 415, 400, 504) — each answered into a per-server {@link ProbeState} so that later
 * requests can name a resourceVersion or continue token that server gave.
 * @module
 */
import { encodeEnvelope } from "../../../src/kube/protobuf/mod.ts";
import { encodeObjectMeta } from "../protobuf.ts";
import type { RawRequest, RawResponse } from "./raw_http.ts";

/** What a server answered earlier that later requests refer to. */
export interface ProbeState {
  /** resourceVersion of the first configmap LIST. */
  listRv: string;
  /** The continue token of the first limited LIST. */
  continueToken: string;
}

/** One request of the comparison. */
export interface Probe {
  /** A short unique label, e.g. `get configmap 404`. */
  name: string;
  request(state: ProbeState): RawRequest;
  /** Records values of the answer later probes need. */
  capture?(response: RawResponse, state: ProbeState): void;
  /** Runs before the request, on each server (e.g. a compaction). */
  before?: "compact";
}

export const NAMESPACE = "simdiff";
const NS = `/api/v1/namespaces/${NAMESPACE}`;
const JSON_TYPE = "application/json";
const PROTOBUF = "application/vnd.kubernetes.protobuf";
const LABEL = "simdiff.holdfast.dev/probe";

const json = (value: unknown) => ({
  headers: { "content-type": JSON_TYPE, accept: JSON_TYPE },
  body: JSON.stringify(value),
});
const accept = (type: string) => ({ headers: { accept: type } });

function configMap(name: string, data: Record<string, string> = { key: name }) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: NAMESPACE, labels: { [LABEL]: "yes" } },
    data,
  };
}

/** A ConfigMap in Kubernetes protobuf, as client-go writes it (metadata and data). */
export function protobufConfigMap(name: string, data: Record<string, string>): Uint8Array {
  const meta = encodeObjectMeta({ name, namespace: NAMESPACE, labels: { [LABEL]: "yes" } });
  const parts: number[] = [0x0a, ...varint(meta.length), ...meta];
  for (const key of Object.keys(data).sort()) {
    const k = new TextEncoder().encode(key);
    const v = new TextEncoder().encode(data[key]);
    const entry = [0x0a, ...varint(k.length), ...k, 0x12, ...varint(v.length), ...v];
    parts.push(0x12, ...varint(entry.length), ...entry);
  }
  return encodeEnvelope({ apiVersion: "v1", kind: "ConfigMap" }, Uint8Array.from(parts));
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

const get = (name: string, path: string, headers: Record<string, string> = {}): Probe => ({
  name,
  request: () => ({ method: "GET", path, headers: { accept: JSON_TYPE, ...headers } }),
});

const BIG_VALUE = "x".repeat(200 * 1024);

/** Every probe, in the order sent. */
export const PROBES: readonly Probe[] = [
  {
    name: "create namespace",
    request: () => ({
      method: "POST",
      path: "/api/v1/namespaces",
      ...json({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }),
    }),
  },
  {
    name: "create serviceaccount",
    request: () => ({
      method: "POST",
      path: `${NS}/serviceaccounts`,
      ...json({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } }),
    }),
  },
  ...[0, 1, 2, 3, 4].map((i): Probe => ({
    name: `create configmap cm-${i}`,
    request: () => ({ method: "POST", path: `${NS}/configmaps`, ...json(configMap(`cm-${i}`)) }),
  })),
  {
    name: "create configmap 409 AlreadyExists",
    request: () => ({ method: "POST", path: `${NS}/configmaps`, ...json(configMap("cm-0")) }),
  },
  {
    name: "create configmap in protobuf",
    request: () => ({
      method: "POST",
      path: `${NS}/configmaps`,
      headers: { "content-type": PROTOBUF, accept: PROTOBUF },
      body: protobufConfigMap("cm-proto", { written: "in protobuf" }),
    }),
  },
  {
    name: "create configmap, body not JSON",
    request: () => ({
      method: "POST",
      path: `${NS}/configmaps`,
      headers: { "content-type": JSON_TYPE, accept: JSON_TYPE },
      body: "{not json",
    }),
  },
  {
    name: "create configmap, body text/plain",
    request: () => ({
      method: "POST",
      path: `${NS}/configmaps`,
      headers: { "content-type": "text/plain", accept: JSON_TYPE },
      body: "hello",
    }),
  },
  {
    name: "create configmap dryRun=All",
    request: () => ({
      method: "POST",
      path: `${NS}/configmaps?dryRun=All`,
      ...json(configMap("cm-dry")),
    }),
  },
  get("get configmap dry-run 404", `${NS}/configmaps/cm-dry`),
  {
    name: "create big configmap",
    request: () => ({
      method: "POST",
      path: `${NS}/configmaps`,
      ...json(configMap("cm-big", { big: BIG_VALUE })),
    }),
  },
  {
    name: "create node",
    request: () => ({
      method: "POST",
      path: "/api/v1/nodes",
      ...json({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: "simdiff-node", labels: { [LABEL]: "yes" } },
      }),
    }),
  },
  {
    name: "update configmap 409 Conflict (stale resourceVersion)",
    request: () => ({
      method: "PUT",
      path: `${NS}/configmaps/cm-1`,
      ...json({
        ...configMap("cm-1"),
        metadata: { ...configMap("cm-1").metadata, resourceVersion: "2" },
      }),
    }),
  },
  {
    name: "patch configmap merge",
    request: () => ({
      method: "PATCH",
      path: `${NS}/configmaps/cm-2`,
      headers: { "content-type": "application/merge-patch+json", accept: JSON_TYPE },
      body: JSON.stringify({ data: { patched: "yes" } }),
    }),
  },
  {
    name: "patch configmap 415 (content type)",
    request: () => ({
      method: "PATCH",
      path: `${NS}/configmaps/cm-2`,
      headers: { "content-type": JSON_TYPE, accept: JSON_TYPE },
      body: JSON.stringify({ data: { patched: "yes" } }),
    }),
  },
  {
    name: "patch configmap 404",
    request: () => ({
      method: "PATCH",
      path: `${NS}/configmaps/absent`,
      headers: { "content-type": "application/merge-patch+json", accept: JSON_TYPE },
      body: "{}",
    }),
  },
  {
    name: "delete configmap",
    request: () => ({ method: "DELETE", path: `${NS}/configmaps/cm-4` }),
  },
  {
    name: "delete configmap 404",
    request: () => ({ method: "DELETE", path: `${NS}/configmaps/cm-4` }),
  },
  get("get configmap", `${NS}/configmaps/cm-0`),
  get("get configmap 404", `${NS}/configmaps/absent`),
  get("get configmap written in protobuf", `${NS}/configmaps/cm-proto`),
  get("get configmap, protobuf", `${NS}/configmaps/cm-0`, { accept: PROTOBUF }),
  get("get configmap 404, protobuf", `${NS}/configmaps/absent`, { accept: PROTOBUF }),
  get("get configmap, curl user agent", `${NS}/configmaps/cm-0`, { "user-agent": "curl/8.5.0" }),
  get("get big configmap, gzip", `${NS}/configmaps/cm-big`, { "accept-encoding": "gzip" }),
  get("get configmap, gzip (small)", `${NS}/configmaps/cm-0`, { "accept-encoding": "gzip" }),
  get("get configmap 406", `${NS}/configmaps/cm-0`, { accept: "application/xml" }),
  get("get node", "/api/v1/nodes/simdiff-node"),
  get("get unknown resource 404", `${NS}/foos/x`),
  get("list unknown resource 404", "/api/v1/foos"),
  get("list unknown group 404", "/apis/nope.example.com/v1/foos"),
  get("get unknown path 404", "/nope"),
  {
    name: "list configmaps",
    request: () => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}`,
      ...accept(JSON_TYPE),
    }),
    capture: (response, state) => {
      state.listRv = JSON.parse(new TextDecoder().decode(response.body)).metadata.resourceVersion;
    },
  },
  {
    name: "list configmaps, protobuf",
    request: () => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}`,
      ...accept(PROTOBUF),
    }),
  },
  get(
    "list configmaps resourceVersion=0",
    `${NS}/configmaps?labelSelector=${LABEL}&resourceVersion=0`,
  ),
  {
    name: "list configmaps resourceVersion=<list> NotOlderThan",
    request: (s) => ({
      method: "GET",
      path:
        `${NS}/configmaps?labelSelector=${LABEL}&resourceVersion=${s.listRv}&resourceVersionMatch=NotOlderThan`,
      ...accept(JSON_TYPE),
    }),
  },
  {
    name: "list configmaps resourceVersion=<list> Exact",
    request: (s) => ({
      method: "GET",
      path:
        `${NS}/configmaps?labelSelector=${LABEL}&resourceVersion=${s.listRv}&resourceVersionMatch=Exact`,
      ...accept(JSON_TYPE),
    }),
  },
  get(
    "list resourceVersionMatch without resourceVersion 422",
    `${NS}/configmaps?resourceVersionMatch=Exact`,
  ),
  get("list resourceVersion not a number", `${NS}/configmaps?resourceVersion=abc`),
  {
    name: "list resourceVersion in the future 504",
    request: (s) => ({
      method: "GET",
      path: `${NS}/configmaps?resourceVersion=${Number(s.listRv) + 1000}`,
      ...accept(JSON_TYPE),
    }),
  },
  {
    name: "list configmaps limit=2",
    request: () => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}&limit=2`,
      ...accept(JSON_TYPE),
    }),
    capture: (response, state) => {
      state.continueToken = JSON.parse(new TextDecoder().decode(response.body)).metadata.continue;
    },
  },
  {
    name: "list configmaps continue",
    request: (s) => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}&limit=2&continue=${
        encodeURIComponent(s.continueToken)
      }`,
      ...accept(JSON_TYPE),
    }),
  },
  get("list continue malformed 400", `${NS}/configmaps?limit=2&continue=bm90IGEgdG9rZW4`),
  get("list continue not base64 400", `${NS}/configmaps?limit=2&continue=a%2Bb%3D`),
  get(
    "list continue of another version 400",
    `${NS}/configmaps?limit=2&continue=${btoa('{"v":"v0","rv":5,"start":"a"}').replace(/=+$/, "")}`,
  ),
  get("list pods bad field selector 400", `${NS}/pods?fieldSelector=spec.foo%3Dbar`),
  get("list pods bad label selector 400", `${NS}/pods?labelSelector=a%20in%20(`),
  get("list pods by spec.nodeName", `/api/v1/pods?fieldSelector=spec.nodeName%3Dsimdiff-node`),
  {
    name: "patch collection 405",
    request: () => ({
      method: "PATCH",
      path: `${NS}/configmaps`,
      headers: { "content-type": "application/merge-patch+json", accept: JSON_TYPE },
      body: "{}",
    }),
  },
  {
    name: "post to a named configmap 405",
    request: () => ({ method: "POST", path: `${NS}/configmaps/cm-0`, ...json(configMap("cm-0")) }),
  },
  {
    name: "watch configmaps from <list>",
    request: (s) => ({
      method: "GET",
      path:
        `${NS}/configmaps?labelSelector=${LABEL}&watch=true&resourceVersion=${s.listRv}&timeoutSeconds=1`,
      ...accept(JSON_TYPE),
    }),
  },
  {
    name: "watch-list (sendInitialEvents)",
    request: () => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}&watch=true&sendInitialEvents=true` +
        "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1",
      ...accept(JSON_TYPE),
    }),
  },
  {
    name: "watch-list, gzip",
    request: () => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}&watch=true&sendInitialEvents=true` +
        "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1",
      headers: { accept: JSON_TYPE, "accept-encoding": "gzip" },
    }),
  },
  {
    name: "watch-list, protobuf",
    request: () => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}&watch=true&sendInitialEvents=true` +
        "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1",
      ...accept(PROTOBUF),
    }),
  },
  {
    name: "watch, gzip (not a watch-list)",
    request: (s) => ({
      method: "GET",
      path:
        `${NS}/configmaps?labelSelector=${LABEL}&watch=true&resourceVersion=${s.listRv}&timeoutSeconds=1`,
      headers: { accept: JSON_TYPE, "accept-encoding": "gzip" },
    }),
  },
  get(
    "watch-list without allowWatchBookmarks",
    `${NS}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`,
  ),
  get(
    "watch resourceVersionMatch=Exact 422",
    `${NS}/configmaps?watch=true&resourceVersion=1&resourceVersionMatch=Exact&timeoutSeconds=1`,
  ),
  {
    name: "patch configmap after the list",
    request: () => ({
      method: "PATCH",
      path: `${NS}/configmaps/cm-3`,
      headers: { "content-type": "application/merge-patch+json", accept: JSON_TYPE },
      body: JSON.stringify({ data: { later: "yes" } }),
    }),
  },
  {
    name: "watch from a compacted resourceVersion",
    before: "compact",
    request: (s) => ({
      method: "GET",
      path: `${NS}/configmaps?watch=true&resourceVersion=${s.listRv}&timeoutSeconds=1`,
      ...accept(JSON_TYPE),
    }),
  },
  get(
    "watch from resourceVersion 1 (compacted)",
    `${NS}/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1`,
  ),
  get(
    "list Exact at resourceVersion 1 (compacted)",
    `${NS}/configmaps?resourceVersion=1&resourceVersionMatch=Exact`,
  ),
  get(
    "list continue at resourceVersion 1 (compacted)",
    `${NS}/configmaps?limit=2&continue=${
      btoa(JSON.stringify({ v: "meta.k8s.io/v1", rv: 1, start: `${NAMESPACE}/cm-1\u0000` }))
        .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
    }`,
  ),
  {
    name: "list Exact at a compacted resourceVersion",
    request: (s) => ({
      method: "GET",
      path: `${NS}/configmaps?resourceVersion=${s.listRv}&resourceVersionMatch=Exact`,
      ...accept(JSON_TYPE),
    }),
  },
  {
    name: "list continue after compaction",
    request: (s) => ({
      method: "GET",
      path: `${NS}/configmaps?labelSelector=${LABEL}&limit=2&continue=${
        encodeURIComponent(s.continueToken)
      }`,
      ...accept(JSON_TYPE),
    }),
  },
];
