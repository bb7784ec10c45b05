import { assertEquals } from "../../assert.ts";
import { classifyOutcomes, isWatch, sameState } from "../../../scripts/conformance/outcomes.ts";
import type { Nodeclient, NodeclientLine } from "../../../scripts/conformance/nodeclient.ts";

Deno.test("conformance outcomes: states compare by name and resourceVersion, nodes by name alone", () => {
  const held = { pods: ["default/a@5"], nodes: ["/n@9"] };
  assertEquals(sameState(held, { pods: ["default/a@5"], nodes: ["/n@9"] }), undefined);
  assertEquals(
    sameState(held, { pods: ["default/a@6"], nodes: ["/n@9"] }),
    "pods holds [default/a@5], want [default/a@6]",
  );
  assertEquals(sameState(held, { pods: ["default/a@5"], nodes: ["/n@10"] }, ["nodes"]), undefined);
  assertEquals(sameState({}, { pods: [] }), undefined);
});

Deno.test("conformance outcomes: watch URLs", () => {
  assertEquals(isWatch("/api/v1/pods?watch=true&resourceVersion=1"), true);
  assertEquals(isWatch("/api/v1/pods?allowWatchBookmarks=true&watch=1"), true);
  assertEquals(isWatch("/api/v1/pods?allowWatchBookmarks=true"), false);
});

function client(lines: Partial<NodeclientLine>[]): Nodeclient {
  return {
    variant: { name: "json/watch-list", node: "node-a", flags: [] },
    lines: lines.map((line) => ({ event: "request", method: "GET", at: 0, ...line })),
  } as unknown as Nodeclient;
}

Deno.test("conformance outcomes: documented failures pass, others and stray transport errors fail", () => {
  const lease = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a";
  const report = classifyOutcomes([
    client([
      { url: "/api/v1/pods", status: 200 },
      { url: lease, status: 404 },
      { url: lease, method: "PUT", status: 409 },
      { url: "/api/v1/nodes/node-a/status", method: "PATCH", status: 503 },
      { url: "/api/v1/namespaces/default/events", method: "POST", status: 504 },
      { url: "/api/v1/pods", error: "connection refused", at: 5 },
      { url: "/api/v1/pods", status: 404 },
      { url: "/api/v1/services", status: 500 },
      { url: "/api/v1/pods", error: "connection refused", at: 50 },
      { event: "watch-error", informer: "pods", error: "EOF", at: 5 },
      { event: "watch-error", informer: "pods", error: "decode", at: 50 },
    ]),
  ], { restart: [1, 10] });
  assertEquals(report.unexpected, [
    "json/watch-list: GET /api/v1/pods: 404",
    "json/watch-list: GET /api/v1/services: 500",
    "json/watch-list: GET /api/v1/pods: connection refused",
    "json/watch-list: pods watch error: decode",
  ]);
  assertEquals(
    report.summary,
    "404 lease GET (created next) ×1, 409 lease update (re-read) ×1, 503 write offline ×1, " +
      "504 write outcome unknown ×1, transport error while holdfast restarted ×1, " +
      "informer watch error while holdfast restarted ×1",
  );
});
