import assert from "node:assert/strict";
import {
  isUpgradeRequest,
  stripForClient,
  upstreamRequestHeaders,
} from "../../../src/proxy/remote/headers.ts";

Deno.test("headers: a Connection list with empty or odd-cased tokens names its headers, never throws", () => {
  const response = new Headers({
    connection: "X-Hop, , keep-alive,",
    "x-hop": "1",
    "content-type": "application/json",
    "content-encoding": "gzip",
  });
  stripForClient(response);
  assert.deepEqual([...response], [["content-type", "application/json"]]);

  const request = new Headers({ connection: " ,X-Hop", "x-hop": "1", accept: "*/*" });
  assert.deepEqual(upstreamRequestHeaders(request, null), [
    ["accept", "*/*"],
    ["accept-encoding", "gzip"],
  ]);
  assert.equal(
    isUpgradeRequest(new Headers({ connection: "keep-alive, Upgrade", upgrade: "h2c" })),
    true,
  );
  assert.equal(isUpgradeRequest(new Headers({ connection: ",", upgrade: "h2c" })), false);
});
