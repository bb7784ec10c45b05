import assert from "node:assert/strict";
import { acceptRank, contentTypeOf } from "../../../src/proxy/local/accept.ts";

const JSON_MEDIA = "application/json";
const PB = "application/vnd.kubernetes.protobuf";
const TABLE = "as=Table;g=meta.k8s.io;v=v1";

Deno.test("accept: kubelet's protobuf-then-wildcard Accept takes JSON at the wildcard", () => {
  const accept = "application/vnd.kubernetes.protobuf, */*";
  assert.deepEqual(acceptRank(accept, PB, ""), 0);
  assert.deepEqual(acceptRank(accept, JSON_MEDIA, ""), 1);
});

Deno.test("accept: a protobuf-only Accept refuses JSON", () => {
  assert.deepEqual(acceptRank("application/vnd.kubernetes.protobuf", JSON_MEDIA, ""), -1);
});

Deno.test("accept: a missing Accept takes anything plain", () => {
  assert.deepEqual(acceptRank(null, PB, ""), 0);
});

Deno.test("accept: a transformed body needs a clause asking for that transform", () => {
  const kubectl = `application/json;as=Table;v=v1;g=meta.k8s.io,application/json`;
  assert.deepEqual(acceptRank(kubectl, JSON_MEDIA, TABLE), 0);
  assert.deepEqual(acceptRank("application/json", JSON_MEDIA, TABLE), -1);
  assert.deepEqual(acceptRank("*/*", JSON_MEDIA, TABLE), -1);
});

Deno.test("accept: a plain body is not taken by a transform-only clause", () => {
  assert.deepEqual(acceptRank("application/json;as=Table;v=v1;g=meta.k8s.io", JSON_MEDIA, ""), -1);
});

Deno.test("accept: type wildcards and media type parameters", () => {
  assert.deepEqual(acceptRank("application/*", PB, ""), 0);
  assert.deepEqual(
    acceptRank("text/plain, application/json", "application/json;charset=utf-8", ""),
    1,
  );
});

Deno.test("accept: the content type of a transformed body carries the transform", () => {
  assert.deepEqual(contentTypeOf(JSON_MEDIA, ""), JSON_MEDIA);
  assert.deepEqual(contentTypeOf(JSON_MEDIA, TABLE), `${JSON_MEDIA};${TABLE}`);
});
