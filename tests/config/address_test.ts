import assert from "node:assert/strict";
import { formatListenAddress, parseListenAddress } from "../../src/config/address.ts";

Deno.test("parseListenAddress reads host and port", () => {
  assert.deepEqual(parseListenAddress("127.0.0.1:10261"), { hostname: "127.0.0.1", port: 10261 });
  assert.deepEqual(parseListenAddress("localhost:0"), { hostname: "localhost", port: 0 });
});

Deno.test("parseListenAddress reads a bracketed IPv6 host", () => {
  assert.deepEqual(parseListenAddress("[::1]:10261"), { hostname: "::1", port: 10261 });
});

Deno.test("parseListenAddress rejects a port above 65535", () => {
  assert.match(parseListenAddress("127.0.0.1:65536") as string, /port 65536 is out of range/);
});

Deno.test("parseListenAddress rejects a missing port, host or colon", () => {
  assert.match(parseListenAddress("127.0.0.1") as string, /not HOST:PORT/);
  assert.match(parseListenAddress("127.0.0.1:") as string, /no numeric port/);
  assert.match(parseListenAddress(":10261") as string, /no host/);
  assert.match(parseListenAddress("host:http") as string, /no numeric port/);
});

Deno.test("parseListenAddress rejects an unbracketed IPv6 host", () => {
  assert.match(parseListenAddress("::1:10261") as string, /brackets/);
});

Deno.test("formatListenAddress brackets IPv6 hosts", () => {
  assert.equal(formatListenAddress({ hostname: "::1", port: 80 }), "[::1]:80");
  assert.equal(formatListenAddress({ hostname: "0.0.0.0", port: 80 }), "0.0.0.0:80");
});
