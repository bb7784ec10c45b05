/**
 * The simulator against the real kube-apiserver (`scripts/apiserver-sim/compare/`): the same
 * requests to both, and client-go's `nodeclient` (JSON, protobuf, classic LIST + WATCH) against
 * each, must agree on every compared point but the differences the README explains. Needs the
 * real-cluster binaries built in the cache (`deno task realcluster --build-only`); skips, naming
 * them, otherwise. The parsing helpers are tested without them.
 */
import { assert, assertEquals } from "../../assert.ts";
import {
  compareAll,
  differences,
  EXPLAINED,
  formatDifferences,
} from "../../../scripts/apiserver-sim/compare/compare.ts";
import { normalizeJson } from "../../../scripts/apiserver-sim/compare/normalize.ts";
import { parseResponse } from "../../../scripts/apiserver-sim/compare/raw_http.ts";
import { startServers } from "../../../scripts/apiserver-sim/compare/servers.ts";
import { cachedBinaries } from "../../../scripts/realcluster/binaries.ts";

const { nodeclient, missing } = await cachedBinaries();
if (missing.length) {
  console.log(
    `skipping the simulator-against-kube-apiserver comparison: not built yet: ${
      missing.join(", ")
    }; \`deno task realcluster --build-only\` builds them`,
  );
}

Deno.test({
  name: "compare: the simulator answers as kube-apiserver 1.37 but for the explained differences",
  ignore: missing.length > 0,
  sanitizeResources: false,
  fn: async () => {
    await using servers = await startServers();
    const rows = await compareAll(servers, nodeclient.path);
    const differing = differences(rows);
    const table = formatDifferences(rows);
    assertEquals(differing.filter((row) => !row.explained), [], table);
    // Every explanation still explains something: a fixed difference leaves the list.
    const used = new Set(differing.map((row) => `${row.probe}/`));
    const stale = Object.keys(EXPLAINED).filter((key) =>
      !used.has(key.slice(0, key.indexOf("/") + 1))
    );
    assertEquals(stale, [], table);
    // client-go saw no errors on either server.
    for (const row of rows.filter((r) => r.aspect === "failures")) {
      assertEquals([row.real, row.simulator], ["(none)", "(none)"], row.probe);
    }
  },
});

Deno.test("compare: a chunked answer is de-chunked, its framing and headers kept", () => {
  const raw =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n" +
    'Audit-Id: x\r\n\r\n3\r\n{"a\r\n4\r\n":1}\r\n0\r\n\r\n';
  const response = parseResponse(new TextEncoder().encode(raw));
  assertEquals(response.framing, "chunked");
  assertEquals(new TextDecoder().decode(response.body), '{"a":1}');
  assert(response.headers.some(([name, value]) => name === "audit-id" && value === "x"));
  const sized = parseResponse(
    new TextEncoder().encode("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}"),
  );
  assertEquals([sized.status, sized.framing, sized.body.length], [404, "length", 2]);
});

Deno.test("compare: varying fields are normalized, the rest kept", () => {
  const object = {
    metadata: {
      name: "node-0.abcde",
      uid: "u",
      resourceVersion: "12",
      creationTimestamp: "2026-01-01T00:00:00Z",
      managedFields: [{ manager: "m" }],
      labels: { app: "web" },
    },
    message: "too old resource version: 5 (17)",
    data: { a: "1" },
  };
  assertEquals(normalizeJson(object), {
    metadata: {
      name: "<generated>",
      uid: "<uid>",
      resourceVersion: "<resourceVersion>",
      creationTimestamp: "<creationTimestamp>",
      labels: { app: "web" },
    },
    message: "too old resource version: 5 (<n>)",
    data: { a: "1" },
  });
});
