import { assert, assertEquals } from "../assert.ts";
import {
  type Classified,
  classify,
  isCacheable,
  isResourceRequest,
} from "../../src/proxy/classify.ts";

const agents = new Set(["kubelet", "kube-proxy"]);

function classifyGet(path: string, init: { ua?: string; accept?: string; method?: string } = {}) {
  const url = new URL(path, "http://holdfast.local");
  const headers = new Headers();
  if (init.ua !== undefined) headers.set("user-agent", init.ua);
  if (init.accept) headers.set("accept", init.accept);
  return classify(new Request(url, { method: init.method ?? "GET", headers }), url, agents);
}

/** The cache identity of a classified request, if it has one. */
function queryOf(c: Classified) {
  return isResourceRequest(c) ? c.query : undefined;
}

/** The Table document of a classified request, if it has one. */
function tableOf(c: Classified) {
  return isResourceRequest(c) ? c.table : undefined;
}

/** The discovery document of a classified request, if it has one. */
function discoveryOf(c: Classified) {
  return c.kind === "discovery" ? c.discovery : undefined;
}

Deno.test("classify: a kubelet pod list by node is cached under its canonical selector", () => {
  const c = classifyGet(
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0&labelSelector=b%3D1,a%3D2&limit=500",
    { ua: "kubelet/v1.30.1 (linux/amd64) kubernetes/abc" },
  );
  assertEquals(c.component, "kubelet");
  assertEquals(c.info.verb, "list");
  assertEquals(queryOf(c), {
    component: "kubelet",
    group: "",
    version: "v1",
    resource: "pods",
    namespace: "",
    labelSelector: "a=2,b=1",
    fieldSelector: "spec.nodeName=node-0",
    transform: "",
  });
});

Deno.test("classify: components outside --cache-agents are not cached", () => {
  assertEquals(queryOf(classifyGet("/api/v1/pods", { ua: "kubectl/v1.32" })), undefined);
  assertEquals(queryOf(classifyGet("/api/v1/pods")), undefined);
});

Deno.test("classify: '*' caches every component with a User-Agent, none without", () => {
  const url = new URL("/api/v1/services", "http://holdfast.local");
  const withUa = new Request(url, { headers: { "user-agent": "coredns/1.11" } });
  assertEquals(queryOf(classify(withUa, url, "*"))?.component, "coredns");
  assertEquals(
    queryOf(classify(new Request(url, { headers: { "user-agent": "" } }), url, "*")),
    undefined,
  );
});

Deno.test("classify: never cached — deletes, proxy, non-status subresources, tokens, CSRs, reviews", () => {
  const ua = "kubelet/1.30";
  const never = [
    { path: "/api/v1/namespaces/a/pods/b", method: "DELETE" },
    { path: "/api/v1/namespaces/a/pods", method: "DELETE" },
    { path: "/api/v1/namespaces/a/pods/b/log" },
    { path: "/api/v1/namespaces/a/pods/b/exec" },
    { path: "/api/v1/proxy/namespaces/a/pods/b" },
    { path: "/api/v1/namespaces/a/serviceaccounts/default/token", method: "POST" },
    { path: "/apis/certificates.k8s.io/v1/certificatesigningrequests" },
    { path: "/apis/authorization.k8s.io/v1/subjectaccessreviews", method: "POST" },
    { path: "/apis/authentication.k8s.io/v1/tokenreviews", method: "POST" },
    { path: "/api/v1/namespaces/a/events", method: "POST" },
    { path: "/apis/events.k8s.io/v1/namespaces/a/events/e", method: "PATCH" },
    { path: "/healthz" },
    { path: "/openapi/v2" },
  ];
  for (const { path, method } of never) {
    const c = classifyGet(path, { ua, method });
    assertEquals([path, queryOf(c), discoveryOf(c)], [path, undefined, undefined]);
    assert(!isCacheable(c), path);
  }
});

Deno.test("classify: status subresource and writes are cached; tables are kept whole", () => {
  const ua = "kubelet/1.30";
  const status = classifyGet("/api/v1/nodes/node-0/status", { ua, method: "PATCH" });
  assertEquals(queryOf(status)?.resource, "nodes");
  const create = classifyGet("/api/v1/namespaces/a/pods", { ua, method: "POST" });
  assertEquals(create.info.verb, "create");
  assertEquals(queryOf(create)?.namespace, "a");
  const table = classifyGet("/api/v1/pods", {
    ua,
    accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
  });
  assertEquals(tableOf(table), {
    path: "kubelet /api/v1/pods",
    transform: "as=Table;g=meta.k8s.io;v=v1",
  });
  assertEquals(queryOf(table)?.transform, ""); // offline, plain pods can answer it
  const pom = classifyGet("/api/v1/pods", {
    ua,
    accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json",
  });
  assertEquals(queryOf(pom)?.transform, "as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
});

Deno.test("classify: discovery documents and /version are cached per path and transform", () => {
  const ua = "kubelet/1.30";
  assertEquals(discoveryOf(classifyGet("/version", { ua })), { path: "/version", transform: "" });
  assertEquals(discoveryOf(classifyGet("/apis/apps/v1", { ua }))?.path, "/apis/apps/v1");
  const aggregated = classifyGet("/apis", {
    ua,
    accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
  });
  assertEquals(discoveryOf(aggregated), {
    path: "/apis",
    transform: "as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2",
  });
});

Deno.test("classify: invalid list options carry the apiserver's Status and are not cached", () => {
  const c = classifyGet("/api/v1/pods?sendInitialEvents=true", { ua: "kubelet/1.30" });
  assert(c.kind === "invalid");
  assertEquals(c.invalid.code, 422);
  assert(!isCacheable(c));
});

Deno.test("classify: each request has one kind, carrying only the fields that kind can have", () => {
  const ua = "kubelet/1.30";
  const cases: [string, { method?: string; accept?: string }, Classified["kind"]][] = [
    ["/api/v1/namespaces/a/pods/b", {}, "get"],
    ["/api/v1/namespaces/a/pods/b", { method: "HEAD" }, "get"],
    ["/api/v1/nodes/node-0/status", {}, "get"],
    ["/api/v1/pods", {}, "list"],
    ["/api/v1/pods?watch=true", {}, "watch"],
    ["/api/v1/watch/pods", {}, "watch"],
    [
      "/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
      {},
      "watch",
    ],
    ["/api/v1/namespaces/a/pods", { method: "POST" }, "write"],
    ["/api/v1/nodes/node-0", { method: "PUT" }, "write"],
    ["/api/v1/nodes/node-0/status", { method: "PATCH" }, "write"],
    ["/api/v1/pods?sendInitialEvents=true", {}, "invalid"],
    ["/api/v1/pods?watch=true&limit=x", {}, "invalid"],
    ["/api/v1/pods?fieldSelector=spec.unknown%3Dx", {}, "invalid"],
    ["/version", {}, "discovery"],
    ["/api", {}, "discovery"],
    ["/apis/apps/v1", {}, "discovery"],
    ["/apis/apps/v1/", {}, "discovery"],
    ["/apis", { method: "POST" }, "other"],
    ["/healthz", {}, "other"],
    ["/openapi/v2", {}, "other"],
    ["/api/v1/namespaces/a/pods/b", { method: "DELETE" }, "other"],
    ["/api/v1/namespaces/a/pods", { method: "DELETE" }, "other"],
    ["/api/v1/proxy/namespaces/a/pods/b", {}, "other"],
  ];
  for (const [path, init, kind] of cases) {
    const c = classifyGet(path, { ua, ...init });
    assertEquals([path, init.method, c.kind], [path, init.method, kind]);
    const fields = Object.keys(c).filter((key) => !["url", "info", "component"].includes(key));
    const allowed: Record<Classified["kind"], string[]> = {
      get: ["kind", "query", "table"],
      list: ["kind", "listOptions", "query", "table"],
      watch: ["kind", "listOptions", "query", "table"],
      write: ["kind", "query", "table"],
      invalid: ["kind", "invalid"],
      discovery: ["kind", "discovery"],
      other: ["kind"],
    };
    for (const field of fields) assert(allowed[kind].includes(field), `${path}: ${field}`);
    if (c.kind === "list" || c.kind === "watch") assertEquals(c.listOptions.limit >= 0, true);
  }
});

Deno.test("classify: a cached component's requests are cacheable exactly when they carry a target", () => {
  const cached = { ua: "kubelet/1.30" };
  const uncached = { ua: "kubectl/1.30" };
  for (const init of [cached, uncached]) {
    const get = classifyGet("/api/v1/namespaces/a/pods/b", init);
    const list = classifyGet("/api/v1/pods?limit=5&continue=abc", init);
    const watch = classifyGet("/api/v1/pods?watch=1&resourceVersion=7", init);
    const write = classifyGet("/api/v1/namespaces/a/pods", { ...init, method: "POST" });
    const discovery = classifyGet("/apis", init);
    const isCached = init === cached;
    for (const c of [get, list, watch, write, discovery]) {
      assertEquals([c.info.path, isCacheable(c)], [c.info.path, isCached]);
    }
    assert(list.kind === "list" && watch.kind === "watch");
    assertEquals([list.listOptions.limit, list.listOptions.continue], [5, "abc"]);
    assertEquals(watch.listOptions.resourceVersion, "7");
    assertEquals(discovery.kind, "discovery");
  }
  // An event write, a non-status subresource and a never-cached resource are not cacheable.
  for (
    const [path, method] of [
      ["/api/v1/namespaces/a/events", "POST"],
      ["/api/v1/namespaces/a/pods/b/log", "GET"],
      ["/apis/certificates.k8s.io/v1/certificatesigningrequests", "GET"],
    ]
  ) {
    const c = classifyGet(path, { ...cached, method });
    assert(isResourceRequest(c), path);
    assert(!isCacheable(c), path);
  }
});
