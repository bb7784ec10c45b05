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

type Headers = Record<string, string>;

/** A probe whose request depends on what this server answered before. */
const at = (
  name: string,
  method: string,
  path: (state: ProbeState) => string,
  headers: Headers = {},
  body?: string | Uint8Array,
): Probe => ({
  name,
  request: (state) => ({
    method,
    path: path(state),
    headers: { accept: JSON_TYPE, ...headers },
    body,
  }),
});
const send = (
  name: string,
  method: string,
  path: string,
  headers: Headers = {},
  body?: string | Uint8Array,
) => at(name, method, () => path, headers, body);
const get = (name: string, path: string, headers: Headers = {}) => send(name, "GET", path, headers);
const post = (name: string, path: string, value: unknown) =>
  send(name, "POST", path, { "content-type": JSON_TYPE }, JSON.stringify(value));
const mergePatch = (name: string, path: string, value: unknown) =>
  send(
    name,
    "PATCH",
    path,
    { "content-type": "application/merge-patch+json" },
    JSON.stringify(value),
  );

/** Records a JSON list's `metadata[field]` as `state[key]`. */
const captureListMeta =
  (key: keyof ProbeState, field: string) => (response: RawResponse, state: ProbeState) => {
    state[key] = JSON.parse(new TextDecoder().decode(response.body)).metadata[field];
  };

const BIG_VALUE = "x".repeat(200 * 1024);
const SELECTED = `${NS}/configmaps?labelSelector=${LABEL}`;
const WATCH_LIST = `${SELECTED}&watch=true&sendInitialEvents=true` +
  "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1";
const rawUrl = (text: string) =>
  btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** Every probe, in the order sent. */
export const PROBES: readonly Probe[] = [
  post("create namespace", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: NAMESPACE },
  }),
  post("create serviceaccount", `${NS}/serviceaccounts`, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default" },
  }),
  ...[0, 1, 2, 3, 4].map((i) =>
    post(`create configmap cm-${i}`, `${NS}/configmaps`, configMap(`cm-${i}`))
  ),
  post("create configmap 409 AlreadyExists", `${NS}/configmaps`, configMap("cm-0")),
  send(
    "create configmap in protobuf",
    "POST",
    `${NS}/configmaps`,
    { "content-type": PROTOBUF, accept: PROTOBUF },
    protobufConfigMap("cm-proto", { written: "in protobuf" }),
  ),
  send("create configmap, body not JSON", "POST", `${NS}/configmaps`, {
    "content-type": JSON_TYPE,
  }, "{not json"),
  send("create configmap, body text/plain", "POST", `${NS}/configmaps`, {
    "content-type": "text/plain",
  }, "hello"),
  post("create configmap dryRun=All", `${NS}/configmaps?dryRun=All`, configMap("cm-dry")),
  get("get configmap dry-run 404", `${NS}/configmaps/cm-dry`),
  post("create big configmap", `${NS}/configmaps`, configMap("cm-big", { big: BIG_VALUE })),
  post("create node", "/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "simdiff-node", labels: { [LABEL]: "yes" } },
  }),
  send(
    "update configmap 409 Conflict (stale resourceVersion)",
    "PUT",
    `${NS}/configmaps/cm-1`,
    { "content-type": JSON_TYPE },
    JSON.stringify({
      ...configMap("cm-1"),
      metadata: { ...configMap("cm-1").metadata, resourceVersion: "2" },
    }),
  ),
  mergePatch("patch configmap merge", `${NS}/configmaps/cm-2`, { data: { patched: "yes" } }),
  send("patch configmap 415 (content type)", "PATCH", `${NS}/configmaps/cm-2`, {
    "content-type": JSON_TYPE,
  }, "{}"),
  mergePatch("patch configmap 404", `${NS}/configmaps/absent`, {}),
  send("delete configmap", "DELETE", `${NS}/configmaps/cm-4`),
  send("delete configmap 404", "DELETE", `${NS}/configmaps/cm-4`),
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
  { ...get("list configmaps", SELECTED), capture: captureListMeta("listRv", "resourceVersion") },
  get("list configmaps, protobuf", SELECTED, { accept: PROTOBUF }),
  get("list configmaps resourceVersion=0", `${SELECTED}&resourceVersion=0`),
  at(
    "list configmaps resourceVersion=<list> NotOlderThan",
    "GET",
    (s) => `${SELECTED}&resourceVersion=${s.listRv}&resourceVersionMatch=NotOlderThan`,
  ),
  at(
    "list configmaps resourceVersion=<list> Exact",
    "GET",
    (s) => `${SELECTED}&resourceVersion=${s.listRv}&resourceVersionMatch=Exact`,
  ),
  get(
    "list resourceVersionMatch without resourceVersion 422",
    `${NS}/configmaps?resourceVersionMatch=Exact`,
  ),
  get("list resourceVersion not a number", `${NS}/configmaps?resourceVersion=abc`),
  at(
    "list resourceVersion in the future 504",
    "GET",
    (s) => `${NS}/configmaps?resourceVersion=${Number(s.listRv) + 1000}`,
  ),
  {
    ...get("list configmaps limit=2", `${SELECTED}&limit=2`),
    capture: captureListMeta("continueToken", "continue"),
  },
  at(
    "list configmaps continue",
    "GET",
    (s) => `${SELECTED}&limit=2&continue=${encodeURIComponent(s.continueToken)}`,
  ),
  get("list continue malformed 400", `${NS}/configmaps?limit=2&continue=bm90IGEgdG9rZW4`),
  get("list continue not base64 400", `${NS}/configmaps?limit=2&continue=a%2Bb%3D`),
  get(
    "list continue of another version 400",
    `${NS}/configmaps?limit=2&continue=${rawUrl('{"v":"v0","rv":5,"start":"a"}')}`,
  ),
  get("list pods bad field selector 400", `${NS}/pods?fieldSelector=spec.foo%3Dbar`),
  get("list pods bad label selector 400", `${NS}/pods?labelSelector=a%20in%20(`),
  get("list pods by spec.nodeName", `/api/v1/pods?fieldSelector=spec.nodeName%3Dsimdiff-node`),
  mergePatch("patch collection 405", `${NS}/configmaps`, {}),
  post("post to a named configmap 405", `${NS}/configmaps/cm-0`, configMap("cm-0")),
  at(
    "watch configmaps from <list>",
    "GET",
    (s) => `${SELECTED}&watch=true&resourceVersion=${s.listRv}&timeoutSeconds=1`,
  ),
  get("watch-list (sendInitialEvents)", WATCH_LIST),
  get("watch-list, gzip", WATCH_LIST, { "accept-encoding": "gzip" }),
  get("watch-list, protobuf", WATCH_LIST, { accept: PROTOBUF }),
  at(
    "watch, gzip (not a watch-list)",
    "GET",
    (s) => `${SELECTED}&watch=true&resourceVersion=${s.listRv}&timeoutSeconds=1`,
    { "accept-encoding": "gzip" },
  ),
  get(
    "watch-list without allowWatchBookmarks",
    `${NS}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan` +
      "&timeoutSeconds=1",
  ),
  get(
    "watch resourceVersionMatch=Exact 422",
    `${NS}/configmaps?watch=true&resourceVersion=1&resourceVersionMatch=Exact&timeoutSeconds=1`,
  ),
  mergePatch("patch configmap after the list", `${NS}/configmaps/cm-3`, { data: { later: "yes" } }),
  {
    ...at(
      "watch from a compacted resourceVersion",
      "GET",
      (s) => `${NS}/configmaps?watch=true&resourceVersion=${s.listRv}&timeoutSeconds=1`,
    ),
    before: "compact",
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
      rawUrl(JSON.stringify({ v: "meta.k8s.io/v1", rv: 1, start: `${NAMESPACE}/cm-1\u0000` }))
    }`,
  ),
  at(
    "list Exact at a compacted resourceVersion",
    "GET",
    (s) => `${NS}/configmaps?resourceVersion=${s.listRv}&resourceVersionMatch=Exact`,
  ),
  at(
    "list continue after compaction",
    "GET",
    (s) => `${SELECTED}&limit=2&continue=${encodeURIComponent(s.continueToken)}`,
  ),
];
