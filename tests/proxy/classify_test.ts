import { assertEquals } from "../assert.ts";
import { classify } from "../../src/proxy/classify.ts";

const agents = new Set(["kubelet", "kube-proxy"]);

function classifyGet(path: string, init: { ua?: string; accept?: string; method?: string } = {}) {
  const url = new URL(path, "http://holdfast.local");
  const headers = new Headers();
  if (init.ua !== undefined) headers.set("user-agent", init.ua);
  if (init.accept) headers.set("accept", init.accept);
  return classify(new Request(url, { method: init.method ?? "GET", headers }), url, agents);
}

Deno.test("classify: a kubelet pod list by node is cached under its canonical selector", () => {
  const c = classifyGet(
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0&labelSelector=b%3D1,a%3D2&limit=500",
    { ua: "kubelet/v1.30.1 (linux/amd64) kubernetes/abc" },
  );
  assertEquals(c.component, "kubelet");
  assertEquals(c.info.verb, "list");
  assertEquals(c.query, {
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
  assertEquals(classifyGet("/api/v1/pods", { ua: "kubectl/v1.32" }).query, undefined);
  assertEquals(classifyGet("/api/v1/pods").query, undefined);
});

Deno.test("classify: '*' caches every component with a User-Agent, none without", () => {
  const url = new URL("/api/v1/services", "http://holdfast.local");
  const withUa = new Request(url, { headers: { "user-agent": "coredns/1.11" } });
  assertEquals(classify(withUa, url, "*").query?.component, "coredns");
  assertEquals(
    classify(new Request(url, { headers: { "user-agent": "" } }), url, "*").query,
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
    assertEquals([path, c.query, c.discovery], [path, undefined, undefined]);
  }
});

Deno.test("classify: status subresource and writes are cached; tables are kept whole", () => {
  const ua = "kubelet/1.30";
  const status = classifyGet("/api/v1/nodes/node-0/status", { ua, method: "PATCH" });
  assertEquals(status.query?.resource, "nodes");
  const create = classifyGet("/api/v1/namespaces/a/pods", { ua, method: "POST" });
  assertEquals(create.info.verb, "create");
  assertEquals(create.query?.namespace, "a");
  const table = classifyGet("/api/v1/pods", {
    ua,
    accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
  });
  assertEquals(table.table, {
    path: "kubelet /api/v1/pods",
    transform: "as=Table;g=meta.k8s.io;v=v1",
  });
  assertEquals(table.query?.transform, ""); // offline, plain pods can answer it
  const pom = classifyGet("/api/v1/pods", {
    ua,
    accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json",
  });
  assertEquals(pom.query?.transform, "as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
});

Deno.test("classify: discovery documents and /version are cached per path and transform", () => {
  const ua = "kubelet/1.30";
  assertEquals(classifyGet("/version", { ua }).discovery, { path: "/version", transform: "" });
  assertEquals(classifyGet("/apis/apps/v1", { ua }).discovery?.path, "/apis/apps/v1");
  const aggregated = classifyGet("/apis", {
    ua,
    accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
  });
  assertEquals(aggregated.discovery, {
    path: "/apis",
    transform: "as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2",
  });
});

Deno.test("classify: invalid list options carry the apiserver's Status and are not cached", () => {
  const c = classifyGet("/api/v1/pods?sendInitialEvents=true", { ua: "kubelet/1.30" });
  assertEquals(c.invalid?.code, 422);
  assertEquals(c.query, undefined);
});
