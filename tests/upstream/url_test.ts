import { assert, assertEquals } from "../assert.ts";
import { seededRandom } from "../kube/json/fixtures.ts";
import { pathProblem, targetProblem } from "../../src/kube/request_path.ts";
import { upstreamUrl } from "../../src/upstream/url.ts";

const SERVER = new URL("https://10.0.0.1:6443");
const BEHIND_PATH = new URL("https://gw.example:8443/clusters/a/");

Deno.test("upstream url: origin + the server's path prefix + path + query", () => {
  assertEquals(
    upstreamUrl(SERVER, "/api/v1/pods", "?watch=1").href,
    "https://10.0.0.1:6443/api/v1/pods?watch=1",
  );
  assertEquals(
    upstreamUrl(BEHIND_PATH, "/api/v1/pods", "?labelSelector=a%3Db").href,
    "https://gw.example:8443/clusters/a/api/v1/pods?labelSelector=a%3Db",
  );
  assertEquals(
    upstreamUrl(new URL("https://gw.example/clusters/a"), "/readyz").href,
    "https://gw.example/clusters/a/readyz",
  );
  assertEquals(upstreamUrl(SERVER, "/").href, "https://10.0.0.1:6443/");
  assertEquals(upstreamUrl(SERVER, "/apis/").href, "https://10.0.0.1:6443/apis/");
});

/** Paths that must never be forwarded, each a way to name another host or leave the prefix. */
const HOSTILE_PATHS = [
  "//evil:1/api/v1/pods",
  "///evil/api",
  "/\\evil/api",
  "/\\\\evil/api",
  "/%2F%2Fevil/api",
  "/%2f%2fevil/api",
  "/%5C%5Cevil/api",
  "/api/v1/namespaces/a%2Fb/pods",
  "/api//v1/pods",
  "/api/../../evil",
  "/api/v1/..",
  "/./api",
  "/api/%2e%2e/%2E%2E/evil",
  "/api/.%2e/evil",
  "/@evil/api",
  "/api/v1/pods@evil",
  "/api/%40evil",
  "/api/v1/pods%0d%0aHost:%20evil",
  "/api/v1/pods%0a",
  "/api/v1/pods%00",
  "/api/v1/pods%7f",
  "/api/v1/pods%zz",
  "/api/v1/pods%",
  "/api/v1/pods%c3%28",
  "/api/v1/pods#fragment",
  "/api v1",
  "/api/{x}",
  "api/v1/pods",
  "",
  "http://evil/api",
];

Deno.test("upstream url: every hostile path is refused with a reason, and the builder throws", () => {
  for (const path of HOSTILE_PATHS) {
    assert(pathProblem(path) !== undefined, `accepted ${JSON.stringify(path)}`);
    let threw = false;
    try {
      upstreamUrl(SERVER, path);
    } catch {
      threw = true;
    }
    assert(threw, `built a URL for ${JSON.stringify(path)}`);
  }
});

Deno.test("upstream url: real API paths are accepted as they are", () => {
  for (
    const path of [
      "/",
      "/api",
      "/apis/",
      "/version",
      "/readyz",
      "/api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde",
      "/api/v1/nodes/node-0/status",
      "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-0",
      "/api/v1/namespaces/a/services/https:web:8443/proxy/",
      "/apis/k8s-openapi-tests-custom-resource-definition.com/v1/foobars",
      "/api/v1/namespaces/a/configmaps/n%C3%A4me",
      "/api/v1/namespaces/a/pods/a~b_c.d",
    ]
  ) {
    assertEquals(pathProblem(path), undefined, path);
    assertEquals(upstreamUrl(BEHIND_PATH, path).pathname, `/clusters/a${path}`);
  }
});

Deno.test("upstream url: a query may hold anything but a fragment or an encoded control character", () => {
  assertEquals(
    targetProblem("/api/v1/pods?fieldSelector=spec.nodeName%3Dn&x=//evil@h\\"),
    undefined,
  );
  assert(targetProblem("/api/v1/pods?x=%0d%0a") !== undefined);
  assert(targetProblem("/api/v1/pods?x=%00") !== undefined);
  assert(targetProblem("/api/v1/pods?x#y") !== undefined);
  assert(targetProblem("//evil/?x") !== undefined);
});

Deno.test("upstream url: generated paths either are refused or stay on the server, under its prefix", () => {
  const random = seededRandom(15);
  const pieces = [
    "/",
    "//",
    "\\",
    ".",
    "..",
    "%2e",
    "%2F",
    "%5c",
    "%",
    "%0a",
    "@",
    ":",
    "?",
    "#",
    "evil",
    "api",
    "v1",
    "127.0.0.1:1",
    "%40",
    "~",
  ];
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    let path = random() < 0.8 ? "/" : "";
    const length = 1 + Math.floor(random() * 8);
    for (let j = 0; j < length; j++) path += pieces[Math.floor(random() * pieces.length)];
    const { path: onlyPath, search } = path.includes("?")
      ? { path: path.slice(0, path.indexOf("?")), search: path.slice(path.indexOf("?")) }
      : { path, search: "" };
    if (targetProblem(path) !== undefined) continue;
    accepted++;
    const url = upstreamUrl(BEHIND_PATH, onlyPath, search);
    assertEquals(url.origin, BEHIND_PATH.origin, path);
    assert(url.pathname.startsWith("/clusters/a/"), `${path} left the prefix: ${url.pathname}`);
    // What the server sees is what was checked: no normalization happened on the way.
    assertEquals(url.pathname, `/clusters/a${onlyPath}`, path);
  }
  assert(accepted > 500, `only ${accepted} generated paths were accepted`);
});
