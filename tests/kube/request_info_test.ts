import assert from "node:assert/strict";
import {
  MAX_PATH_LENGTH,
  parseRequestInfo,
  type RequestInfo,
} from "../../src/kube/request_info.ts";

function info(method: string, pathAndQuery: string): RequestInfo {
  return parseRequestInfo(method, new URL(`https://apiserver.local${pathAndQuery}`));
}

/** A resource request's expected info; unspecified string fields are "". */
function resource(fields: Partial<RequestInfo> & { path: string }): RequestInfo {
  return {
    isResourceRequest: true,
    verb: "",
    apiPrefix: "api",
    apiGroup: "",
    apiVersion: "v1",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    parts: [],
    ...fields,
  };
}

function nonResource(path: string, verb = "get", apiPrefix = ""): RequestInfo {
  return {
    isResourceRequest: false,
    path,
    verb,
    apiPrefix,
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    parts: [],
  };
}

const CASES: [string, string, string, RequestInfo][] = [
  // Non-resource paths.
  ["root", "GET", "/", nonResource("/")],
  ["version", "GET", "/version", nonResource("/version")],
  ["core discovery", "GET", "/api", nonResource("/api")],
  ["core version discovery", "GET", "/api/v1", nonResource("/api/v1")],
  ["group list", "GET", "/apis", nonResource("/apis")],
  ["group discovery", "GET", "/apis/apps", nonResource("/apis/apps")],
  [
    "group version discovery keeps the prefix",
    "GET",
    "/apis/apps/v1",
    nonResource("/apis/apps/v1", "get", "apis"),
  ],
  ["healthz", "GET", "/healthz", nonResource("/healthz")],
  ["livez check", "GET", "/livez/ping", nonResource("/livez/ping")],
  ["readyz", "GET", "/readyz", nonResource("/readyz")],
  ["openapi v2", "GET", "/openapi/v2", nonResource("/openapi/v2")],
  ["openapi v3 group", "GET", "/openapi/v3/apis/apps/v1", nonResource("/openapi/v3/apis/apps/v1")],
  ["metrics", "GET", "/metrics", nonResource("/metrics")],
  [
    "non-resource verb is the lower-cased method",
    "POST",
    "/version",
    nonResource("/version", "post"),
  ],
  ["unknown prefix with many parts", "GET", "/foo/v1/pods", nonResource("/foo/v1/pods")],

  // Core group, cluster and namespace scope.
  [
    "list nodes",
    "GET",
    "/api/v1/nodes",
    resource({ path: "/api/v1/nodes", verb: "list", resource: "nodes", parts: ["nodes"] }),
  ],
  [
    "get node",
    "GET",
    "/api/v1/nodes/n1",
    resource({
      path: "/api/v1/nodes/n1",
      verb: "get",
      resource: "nodes",
      name: "n1",
      parts: ["nodes", "n1"],
    }),
  ],
  [
    "HEAD is get",
    "HEAD",
    "/api/v1/nodes/n1",
    resource({
      path: "/api/v1/nodes/n1",
      verb: "get",
      resource: "nodes",
      name: "n1",
      parts: ["nodes", "n1"],
    }),
  ],
  [
    "list pods across namespaces",
    "GET",
    "/api/v1/pods",
    resource({ path: "/api/v1/pods", verb: "list", resource: "pods", parts: ["pods"] }),
  ],
  [
    "list pods in namespace",
    "GET",
    "/api/v1/namespaces/ns/pods",
    resource({
      path: "/api/v1/namespaces/ns/pods",
      verb: "list",
      namespace: "ns",
      resource: "pods",
      parts: ["pods"],
    }),
  ],
  [
    "get pod",
    "GET",
    "/api/v1/namespaces/ns/pods/p",
    resource({
      path: "/api/v1/namespaces/ns/pods/p",
      verb: "get",
      namespace: "ns",
      resource: "pods",
      name: "p",
      parts: ["pods", "p"],
    }),
  ],
  [
    "create pod",
    "POST",
    "/api/v1/namespaces/ns/pods",
    resource({
      path: "/api/v1/namespaces/ns/pods",
      verb: "create",
      namespace: "ns",
      resource: "pods",
      parts: ["pods"],
    }),
  ],
  [
    "update pod",
    "PUT",
    "/api/v1/namespaces/ns/pods/p",
    resource({
      path: "/api/v1/namespaces/ns/pods/p",
      verb: "update",
      namespace: "ns",
      resource: "pods",
      name: "p",
      parts: ["pods", "p"],
    }),
  ],
  [
    "patch pod status",
    "PATCH",
    "/api/v1/namespaces/ns/pods/p/status",
    resource({
      path: "/api/v1/namespaces/ns/pods/p/status",
      verb: "patch",
      namespace: "ns",
      resource: "pods",
      name: "p",
      subresource: "status",
      parts: ["pods", "p", "status"],
    }),
  ],
  [
    "delete pod",
    "DELETE",
    "/api/v1/namespaces/ns/pods/p",
    resource({
      path: "/api/v1/namespaces/ns/pods/p",
      verb: "delete",
      namespace: "ns",
      resource: "pods",
      name: "p",
      parts: ["pods", "p"],
    }),
  ],
  [
    "delete collection",
    "DELETE",
    "/api/v1/namespaces/ns/pods",
    resource({
      path: "/api/v1/namespaces/ns/pods",
      verb: "deletecollection",
      namespace: "ns",
      resource: "pods",
      parts: ["pods"],
    }),
  ],
  [
    "pod log",
    "GET",
    "/api/v1/namespaces/ns/pods/p/log",
    resource({
      path: "/api/v1/namespaces/ns/pods/p/log",
      verb: "get",
      namespace: "ns",
      resource: "pods",
      name: "p",
      subresource: "log",
      parts: ["pods", "p", "log"],
    }),
  ],
  [
    "pod exec",
    "POST",
    "/api/v1/namespaces/ns/pods/p/exec",
    resource({
      path: "/api/v1/namespaces/ns/pods/p/exec",
      verb: "create",
      namespace: "ns",
      resource: "pods",
      name: "p",
      subresource: "exec",
      parts: ["pods", "p", "exec"],
    }),
  ],
  [
    "pod proxy subresource keeps the rest in parts",
    "GET",
    "/api/v1/namespaces/ns/pods/p/proxy/a/b",
    resource({
      path: "/api/v1/namespaces/ns/pods/p/proxy/a/b",
      verb: "get",
      namespace: "ns",
      resource: "pods",
      name: "p",
      subresource: "proxy",
      parts: ["pods", "p", "proxy", "a", "b"],
    }),
  ],
  [
    "node status patch",
    "PATCH",
    "/api/v1/nodes/n1/status",
    resource({
      path: "/api/v1/nodes/n1/status",
      verb: "patch",
      resource: "nodes",
      name: "n1",
      subresource: "status",
      parts: ["nodes", "n1", "status"],
    }),
  ],
  [
    "register node",
    "POST",
    "/api/v1/nodes",
    resource({ path: "/api/v1/nodes", verb: "create", resource: "nodes", parts: ["nodes"] }),
  ],
  [
    "service account token",
    "POST",
    "/api/v1/namespaces/ns/serviceaccounts/sa/token",
    resource({
      path: "/api/v1/namespaces/ns/serviceaccounts/sa/token",
      verb: "create",
      namespace: "ns",
      resource: "serviceaccounts",
      name: "sa",
      subresource: "token",
      parts: ["serviceaccounts", "sa", "token"],
    }),
  ],
  [
    "unknown method has no verb",
    "OPTIONS",
    "/api/v1/pods",
    resource({ path: "/api/v1/pods", verb: "", resource: "pods", parts: ["pods"] }),
  ],
  [
    "method is case-sensitive like Go",
    "get",
    "/api/v1/pods",
    resource({ path: "/api/v1/pods", verb: "", resource: "pods", parts: ["pods"] }),
  ],

  // Namespaces themselves.
  [
    "list namespaces",
    "GET",
    "/api/v1/namespaces",
    resource({
      path: "/api/v1/namespaces",
      verb: "list",
      resource: "namespaces",
      parts: ["namespaces"],
    }),
  ],
  [
    "namespace object: namespace = name",
    "GET",
    "/api/v1/namespaces/x",
    resource({
      path: "/api/v1/namespaces/x",
      verb: "get",
      namespace: "x",
      resource: "namespaces",
      name: "x",
      parts: ["namespaces", "x"],
    }),
  ],
  [
    "delete namespace",
    "DELETE",
    "/api/v1/namespaces/x",
    resource({
      path: "/api/v1/namespaces/x",
      verb: "delete",
      namespace: "x",
      resource: "namespaces",
      name: "x",
      parts: ["namespaces", "x"],
    }),
  ],
  [
    "namespace status subresource",
    "PUT",
    "/api/v1/namespaces/x/status",
    resource({
      path: "/api/v1/namespaces/x/status",
      verb: "update",
      namespace: "x",
      resource: "namespaces",
      name: "x",
      subresource: "status",
      parts: ["namespaces", "x", "status"],
    }),
  ],
  [
    "namespace finalize subresource",
    "PUT",
    "/api/v1/namespaces/x/finalize",
    resource({
      path: "/api/v1/namespaces/x/finalize",
      verb: "update",
      namespace: "x",
      resource: "namespaces",
      name: "x",
      subresource: "finalize",
      parts: ["namespaces", "x", "finalize"],
    }),
  ],

  // Named groups.
  [
    "lease update",
    "PUT",
    "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1",
    resource({
      path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1",
      verb: "update",
      apiPrefix: "apis",
      apiGroup: "coordination.k8s.io",
      namespace: "kube-node-lease",
      resource: "leases",
      name: "n1",
      parts: ["leases", "n1"],
    }),
  ],
  [
    "cluster-scoped group resource",
    "GET",
    "/apis/storage.k8s.io/v1/csinodes/n1",
    resource({
      path: "/apis/storage.k8s.io/v1/csinodes/n1",
      verb: "get",
      apiPrefix: "apis",
      apiGroup: "storage.k8s.io",
      resource: "csinodes",
      name: "n1",
      parts: ["csinodes", "n1"],
    }),
  ],
  [
    "list endpointslices",
    "GET",
    "/apis/discovery.k8s.io/v1/endpointslices",
    resource({
      path: "/apis/discovery.k8s.io/v1/endpointslices",
      verb: "list",
      apiPrefix: "apis",
      apiGroup: "discovery.k8s.io",
      resource: "endpointslices",
      parts: ["endpointslices"],
    }),
  ],
  [
    "deployment scale",
    "GET",
    "/apis/apps/v1/namespaces/ns/deployments/d/scale",
    resource({
      path: "/apis/apps/v1/namespaces/ns/deployments/d/scale",
      verb: "get",
      apiPrefix: "apis",
      apiGroup: "apps",
      namespace: "ns",
      resource: "deployments",
      name: "d",
      subresource: "scale",
      parts: ["deployments", "d", "scale"],
    }),
  ],
  [
    "CSR approval",
    "PUT",
    "/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval",
    resource({
      path: "/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval",
      verb: "update",
      apiPrefix: "apis",
      apiGroup: "certificates.k8s.io",
      resource: "certificatesigningrequests",
      name: "c",
      subresource: "approval",
      parts: ["certificatesigningrequests", "c", "approval"],
    }),
  ],
  [
    "group namespaces list",
    "GET",
    "/apis/g/v1/namespaces",
    resource({
      path: "/apis/g/v1/namespaces",
      verb: "list",
      apiPrefix: "apis",
      apiGroup: "g",
      resource: "namespaces",
      parts: ["namespaces"],
    }),
  ],

  // Deprecated path verbs.
  [
    "watch path, cluster list",
    "GET",
    "/api/v1/watch/pods",
    resource({ path: "/api/v1/watch/pods", verb: "watch", resource: "pods", parts: ["pods"] }),
  ],
  [
    "watch path, namespaced list",
    "GET",
    "/api/v1/watch/namespaces/ns/pods",
    resource({
      path: "/api/v1/watch/namespaces/ns/pods",
      verb: "watch",
      namespace: "ns",
      resource: "pods",
      parts: ["pods"],
    }),
  ],
  [
    "watch path, one object",
    "GET",
    "/api/v1/watch/namespaces/ns/pods/p",
    resource({
      path: "/api/v1/watch/namespaces/ns/pods/p",
      verb: "watch",
      namespace: "ns",
      resource: "pods",
      name: "p",
      parts: ["pods", "p"],
    }),
  ],
  [
    "watch path, namespace object",
    "GET",
    "/api/v1/watch/namespaces/ns",
    resource({
      path: "/api/v1/watch/namespaces/ns",
      verb: "watch",
      namespace: "ns",
      resource: "namespaces",
      name: "ns",
      parts: ["namespaces", "ns"],
    }),
  ],
  [
    "watch path ignores the method",
    "POST",
    "/apis/apps/v1/watch/deployments",
    resource({
      path: "/apis/apps/v1/watch/deployments",
      verb: "watch",
      apiPrefix: "apis",
      apiGroup: "apps",
      resource: "deployments",
      parts: ["deployments"],
    }),
  ],
  [
    "watch path ignores watch=false",
    "GET",
    "/api/v1/watch/pods?watch=false",
    resource({ path: "/api/v1/watch/pods", verb: "watch", resource: "pods", parts: ["pods"] }),
  ],
  [
    "proxy path has no subresource",
    "GET",
    "/api/v1/proxy/nodes/n1/stats/summary",
    resource({
      path: "/api/v1/proxy/nodes/n1/stats/summary",
      verb: "proxy",
      resource: "nodes",
      name: "n1",
      parts: ["nodes", "n1", "stats", "summary"],
    }),
  ],
  [
    "proxy path, namespaced",
    "GET",
    "/api/v1/proxy/namespaces/ns/services/s:80/x",
    resource({
      path: "/api/v1/proxy/namespaces/ns/services/s:80/x",
      verb: "proxy",
      namespace: "ns",
      resource: "services",
      name: "s:80",
      parts: ["services", "s:80", "x"],
    }),
  ],

  // Oddities upstream has too.
  [
    "trailing slash",
    "GET",
    "/api/v1/pods/",
    resource({ path: "/api/v1/pods/", verb: "list", resource: "pods", parts: ["pods"] }),
  ],
  [
    "leading double slash",
    "GET",
    "//api/v1/pods",
    resource({ path: "//api/v1/pods", verb: "list", resource: "pods", parts: ["pods"] }),
  ],
  [
    "namespace segment without a name",
    "GET",
    "/api/v1/namespaces/",
    resource({
      path: "/api/v1/namespaces/",
      verb: "list",
      resource: "namespaces",
      parts: ["namespaces"],
    }),
  ],
  [
    "encoded slash splits like Go's decoded path",
    "GET",
    "/api/v1/namespaces/a%2Fb/pods",
    resource({
      path: "/api/v1/namespaces/a%2Fb/pods",
      verb: "get",
      namespace: "a",
      resource: "b",
      name: "pods",
      parts: ["b", "pods"],
    }),
  ],
  [
    "percent-encoded name is decoded",
    "GET",
    "/api/v1/namespaces/ns/configmaps/%C3%A4",
    resource({
      path: "/api/v1/namespaces/ns/configmaps/%C3%A4",
      verb: "get",
      namespace: "ns",
      resource: "configmaps",
      name: "ä",
      parts: ["configmaps", "ä"],
    }),
  ],
];

for (const [title, method, pathAndQuery, expected] of CASES) {
  Deno.test(`parseRequestInfo: ${title}`, () => {
    assert.deepEqual(info(method, pathAndQuery), expected);
  });
}

const VERBS: [string, string, string][] = [
  ["no watch parameter is list", "/api/v1/pods", "list"],
  ["watch=true", "/api/v1/pods?watch=true", "watch"],
  ["watch=1", "/api/v1/pods?watch=1", "watch"],
  ["watch=false", "/api/v1/pods?watch=false", "list"],
  ["watch=FALSE", "/api/v1/pods?watch=FALSE", "list"],
  ["watch=0", "/api/v1/pods?watch=0", "list"],
  ["watch with empty value", "/api/v1/pods?watch=", "watch"],
  ["watch without value", "/api/v1/pods?watch", "watch"],
  ["watch=yes", "/api/v1/pods?watch=yes", "watch"],
  ["first watch value wins", "/api/v1/pods?watch=0&watch=1", "list"],
  ["watch on a named get stays get", "/api/v1/namespaces/ns/pods/p?watch=true", "get"],
  ["watch with bad limit still watches", "/api/v1/pods?watch=true&limit=abc", "watch"],
  [
    "watch=false with bad label selector is list",
    "/api/v1/pods?watch=false&labelSelector=a%2C",
    "list",
  ],
];

for (const [title, pathAndQuery, verb] of VERBS) {
  Deno.test(`parseRequestInfo verb: ${title}`, () => {
    assert.equal(info("GET", pathAndQuery).verb, verb);
  });
}

const NAMES: [string, string, string, string, string][] = [
  [
    "kubelet node informer",
    "GET",
    "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-a&limit=500&resourceVersion=0",
    "list",
    "node-a",
  ],
  [
    "kubelet node watch",
    "GET",
    "/api/v1/nodes?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dnode-a&resourceVersion=12&timeoutSeconds=411&watch=true",
    "watch",
    "node-a",
  ],
  [
    "kubelet per-object secret",
    "GET",
    "/api/v1/namespaces/ns/secrets?fieldSelector=metadata.name%3Ds1&resourceVersion=0",
    "list",
    "s1",
  ],
  ["== operator", "GET", "/api/v1/nodes?fieldSelector=metadata.name%3D%3Dn1", "list", "n1"],
  [
    "name among other terms (RequiresExactMatch)",
    "GET",
    "/api/v1/pods?fieldSelector=metadata.name%3Dp%2Cmetadata.namespace%3Dns",
    "list",
    "p",
  ],
  ["not-equals sets no name", "GET", "/api/v1/nodes?fieldSelector=metadata.name!%3Dn1", "list", ""],
  ["other field sets no name", "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1", "list", ""],
  [
    "name with a slash is ignored",
    "GET",
    "/api/v1/nodes?fieldSelector=metadata.name%3Da%2Fb",
    "list",
    "",
  ],
  [
    "name with a percent is ignored",
    "GET",
    "/api/v1/nodes?fieldSelector=metadata.name%3Da%25b",
    "list",
    "",
  ],
  ["name .. is ignored", "GET", "/api/v1/nodes?fieldSelector=metadata.name%3D..", "list", ""],
  [
    "unparsable label selector drops the name",
    "GET",
    "/api/v1/nodes?fieldSelector=metadata.name%3Dn1&labelSelector=%3D%3D",
    "list",
    "",
  ],
  [
    "unparsable limit drops the name",
    "GET",
    "/api/v1/nodes?fieldSelector=metadata.name%3Dn1&limit=x&watch=1",
    "watch",
    "",
  ],
  [
    "unparsable timeoutSeconds drops the name",
    "GET",
    "/api/v1/nodes?fieldSelector=metadata.name%3Dn1&timeoutSeconds=1.5",
    "list",
    "",
  ],
  [
    "deletecollection ignores the field selector",
    "DELETE",
    "/api/v1/nodes?fieldSelector=metadata.name%3Dn1",
    "deletecollection",
    "",
  ],
  [
    "path name wins over field selector",
    "GET",
    "/api/v1/nodes/a?fieldSelector=metadata.name%3Db",
    "get",
    "a",
  ],
  [
    "path watch ignores the field selector",
    "GET",
    "/api/v1/watch/nodes?fieldSelector=metadata.name%3Dn1",
    "watch",
    "",
  ],
];

for (const [title, method, pathAndQuery, verb, name] of NAMES) {
  Deno.test(`parseRequestInfo fieldSelector name: ${title}`, () => {
    const result = info(method, pathAndQuery);
    assert.equal(result.verb, verb);
    assert.equal(result.name, name);
  });
}

const HOSTILE: [string, string][] = [
  ["empty inner segment", "/api/v1//pods"],
  ["empty segment after namespaces", "/api/v1/namespaces//pods"],
  ["encoded dot-dot segment", "/api/v1/namespaces/..%2F..%2Fx/pods"],
  ["encoded dot segment between encoded slashes", "/api/v1/namespaces/a%2F.%2Fb/pods"],
  ["encoded empty segment", "/api/v1/namespaces/a%2F%2Fb/pods"],
  ["NUL byte", "/api/v1/namespaces/ns/pods/a%00b"],
  ["newline", "/api/v1/namespaces/ns/pods/a%0Ab"],
  ["DEL", "/api/v1/namespaces/ns/pods/a%7F"],
  ["invalid percent escape", "/api/v1/namespaces/ns/pods/p%zz"],
  ["truncated percent escape", "/api/v1/namespaces/ns/pods/p%E0%A4%A"],
  ["invalid UTF-8", "/api/v1/namespaces/ns/pods/%FF"],
  ["bare watch path verb", "/api/v1/watch"],
  ["bare proxy path verb in a group", "/apis/apps/v1/proxy"],
  ["path over the length limit", `/api/v1/namespaces/ns/pods/${"a".repeat(MAX_PATH_LENGTH)}`],
  ["many segments over the length limit", `/api/v1/${"x/".repeat(MAX_PATH_LENGTH)}`],
];

for (const [title, pathAndQuery] of HOSTILE) {
  Deno.test(`parseRequestInfo treats as non-resource: ${title}`, () => {
    const result = info("GET", pathAndQuery);
    assert.equal(result.isResourceRequest, false);
    assert.equal(result.verb, "get");
    assert.equal(result.resource, "");
    assert.equal(result.name, "");
    assert.equal(result.namespace, "");
  });
}

Deno.test("parseRequestInfo: dot segments are resolved by URL before classification", () => {
  const result = info("GET", "/api/v1/namespaces/%2e%2e/pods");
  assert.equal(result.path, "/api/v1/pods");
  assert.equal(result.namespace, "");
  assert.equal(result.verb, "list");
});

Deno.test("parseRequestInfo: a huge query does not throw", () => {
  const result = info("GET", `/api/v1/pods?labelSelector=${"a".repeat(1_000_000)}&watch=1`);
  assert.equal(result.verb, "watch");
});

Deno.test("parseRequestInfo: path at the length limit is still classified", () => {
  const prefix = "/api/v1/namespaces/ns/pods/";
  const path = prefix + "a".repeat(MAX_PATH_LENGTH - prefix.length);
  assert.equal(info("GET", path).isResourceRequest, true);
});

const FIXTURES = [
  "k8s-openapi-v1.36.watch-pods-sendInitialEvents.replay.json",
  "k8s-openapi-v1.36.crd-custom-resources.replay.json",
  "k8s-openapi-v1.36.pod-list.replay.json",
  "k8s-openapi-v1.36.patch-deployment.replay.json",
  "k8s-openapi-v1.36.watch-pods.replay.json",
  "k8s-openapi-v1.36.deployment-list.replay.json",
];

interface Exchange {
  request_url: string;
  request_method: string;
}

Deno.test("parseRequestInfo: every captured request is a resource request with the right verb", async () => {
  const seen: string[] = [];
  for (const file of FIXTURES) {
    const url = new URL(`../../../shared/fixtures/captured/${file}`, import.meta.url);
    const exchanges = JSON.parse(await Deno.readTextFile(url)) as Exchange[];
    for (const { request_url, request_method } of exchanges) {
      const result = info(request_method, request_url);
      assert.equal(result.isResourceRequest, true, request_url);
      seen.push(`${result.verb} ${result.namespace}/${result.resource}/${result.name}`);
    }
  }
  assert.ok(seen.includes("watch kube-system/pods/"));
  assert.ok(seen.includes("list kube-system/pods/"));
  assert.ok(seen.includes("deletecollection default/pods/"));
  assert.ok(seen.includes("patch default/deployments/k8s-openapi-tests-patch-deployment"));
  assert.ok(seen.includes("create /customresourcedefinitions/"));
  assert.ok(seen.includes("watch default/foobars/"));
});
