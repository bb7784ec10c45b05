import assert from "node:assert/strict";
import {
  isJson,
  isProtobuf,
  JSON_MEDIA,
  type MediaRange,
  negotiate,
  parseAccept,
  PROTOBUF_MEDIA,
  transformOf,
} from "../../src/kube/media_type.ts";

/** Accept headers real clients send (kube-api-and-peers.md B1, B5, B6). */
const KUBELET_PREFERS_PROTOBUF = "application/vnd.kubernetes.protobuf,application/json";
const CONFIGURED_PROTOBUF = "application/vnd.kubernetes.protobuf, */*";
const KUBECTL_TABLE =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const METADATA_INFORMER =
  "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
const METADATA_LIST =
  "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
const DISCOVERY =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const BOTH = [JSON_MEDIA, PROTOBUF_MEDIA] as const;

const PARSES: [string, string | null, MediaRange[]][] = [
  ["missing header is any", null, [{ type: "*", subtype: "*", params: {}, q: 1 }]],
  ["empty header is any", "", [{ type: "*", subtype: "*", params: {}, q: 1 }]],
  ["blank header is any", "  ", [{ type: "*", subtype: "*", params: {}, q: 1 }]],
  ["single type", "application/json", [{ type: "application", subtype: "json", params: {}, q: 1 }]],
  ["header order kept", KUBELET_PREFERS_PROTOBUF, [
    { type: "application", subtype: "vnd.kubernetes.protobuf", params: {}, q: 1 },
    { type: "application", subtype: "json", params: {}, q: 1 },
  ]],
  ["order kept even against q", "text/plain;q=0.5, application/json", [
    { type: "text", subtype: "plain", params: {}, q: 0.5 },
    { type: "application", subtype: "json", params: {}, q: 1 },
  ]],
  ["q=0 dropped", "application/json;q=0, text/plain", [
    { type: "text", subtype: "plain", params: {}, q: 1 },
  ]],
  ["q=0.000 dropped", "application/json;q=0.000", []],
  ["unreadable q dropped", "application/json;q=abc", []],
  ["q above 1 capped", "application/json;q=2", [
    { type: "application", subtype: "json", params: {}, q: 1 },
  ]],
  [
    "parameters parsed, names lower-cased, spaces trimmed",
    "application/json ; AS = Table ; g=meta.k8s.io",
    [
      { type: "application", subtype: "json", params: { as: "Table", g: "meta.k8s.io" }, q: 1 },
    ],
  ],
  ["quoted parameter value", 'text/plain;charset="utf-8"', [
    { type: "text", subtype: "plain", params: { charset: "utf-8" }, q: 1 },
  ]],
  ["type case-insensitive", "Application/JSON", [
    { type: "application", subtype: "json", params: {}, q: 1 },
  ]],
  ["lone star is any", "*", [{ type: "*", subtype: "*", params: {}, q: 1 }]],
  ["malformed clauses dropped", "json, a/b/c, /x, y/, ,application/json", [
    { type: "application", subtype: "json", params: {}, q: 1 },
  ]],
  ["parameter without = ignored", "application/json;pretty", [
    { type: "application", subtype: "json", params: {}, q: 1 },
  ]],
  ["tab whitespace trimmed", "\tapplication/json\t", [
    { type: "application", subtype: "json", params: {}, q: 1 },
  ]],
];

for (const [title, header, expected] of PARSES) {
  Deno.test(`parseAccept: ${title}`, () => {
    assert.deepEqual(parseAccept(header), expected);
  });
}

const NEGOTIATIONS: [string, string | null, readonly string[], string | null][] = [
  ["missing header takes the first offer", null, BOTH, JSON_MEDIA],
  ["kubelet preferring protobuf gets protobuf", KUBELET_PREFERS_PROTOBUF, BOTH, PROTOBUF_MEDIA],
  [
    "kubelet gets JSON when only JSON is offered",
    KUBELET_PREFERS_PROTOBUF,
    [JSON_MEDIA],
    JSON_MEDIA,
  ],
  ["configured protobuf with */* gets protobuf", CONFIGURED_PROTOBUF, BOTH, PROTOBUF_MEDIA],
  ["configured protobuf falls back through */*", CONFIGURED_PROTOBUF, [JSON_MEDIA], JSON_MEDIA],
  ["flannel's JSON", "application/json", BOTH, JSON_MEDIA],
  ["plain client-go JSON with */*", "application/json, */*", BOTH, JSON_MEDIA],
  ["kubectl table skips as= clauses", KUBECTL_TABLE, BOTH, JSON_MEDIA],
  ["metadata informer skips as= clauses", METADATA_INFORMER, BOTH, JSON_MEDIA],
  ["discovery skips as= clauses", DISCOVERY, BOTH, JSON_MEDIA],
  ["only as= clauses: not acceptable", "application/json;as=Table;g=meta.k8s.io;v=v1", BOTH, null],
  ["type wildcard", "application/*", [PROTOBUF_MEDIA, JSON_MEDIA], PROTOBUF_MEDIA],
  ["type wildcard with no such type", "text/*", BOTH, null],
  ["yaml only: not acceptable", "application/yaml", BOTH, null],
  ["CBOR only: not acceptable", "application/cbor", BOTH, null],
  ["q=0 excludes the type", "application/json;q=0", [JSON_MEDIA], null],
  [
    "header order beats q",
    "application/json;q=0.1,application/vnd.kubernetes.protobuf",
    BOTH,
    JSON_MEDIA,
  ],
  ["no offers", "*/*", [], null],
  [
    "offer with parameters matches its type and is returned as given",
    "application/vnd.kubernetes.protobuf",
    [
      JSON_MEDIA,
      "application/vnd.kubernetes.protobuf;stream=watch",
    ],
    "application/vnd.kubernetes.protobuf;stream=watch",
  ],
  ["case-insensitive match", "APPLICATION/JSON", BOTH, JSON_MEDIA],
  ["garbage header: not acceptable", "garbage", BOTH, null],
];

for (const [title, header, offers, expected] of NEGOTIATIONS) {
  Deno.test(`negotiate: ${title}`, () => {
    assert.equal(negotiate(header, offers), expected);
  });
}

const TRANSFORMS: [string, string | null, string][] = [
  ["no header", null, ""],
  ["plain JSON", "application/json", ""],
  ["kubelet", KUBELET_PREFERS_PROTOBUF, ""],
  ["kubectl table", KUBECTL_TABLE, "as=Table;g=meta.k8s.io;v=v1"],
  ["metadata informer", METADATA_INFORMER, "as=PartialObjectMetadata;g=meta.k8s.io;v=v1"],
  ["metadata list", METADATA_LIST, "as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"],
  ["aggregated discovery", DISCOVERY, "as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2"],
  [
    "parameter order does not matter",
    "application/json;v=v1;g=meta.k8s.io;as=Table",
    "as=Table;g=meta.k8s.io;v=v1",
  ],
  [
    "only the first clause counts",
    "application/json,application/json;as=Table;g=meta.k8s.io;v=v1",
    "",
  ],
  ["missing g and v left out", "application/json;as=Table", "as=Table"],
  [
    "other parameters ignored",
    "application/json;as=Table;g=meta.k8s.io;v=v1;pretty=1",
    "as=Table;g=meta.k8s.io;v=v1",
  ],
  ["a q=0 first clause does not count", "application/json;as=Table;q=0,application/json", ""],
];

for (const [title, header, expected] of TRANSFORMS) {
  Deno.test(`transformOf: ${title}`, () => {
    assert.equal(transformOf(header), expected);
  });
}

const CONTENT_TYPES: [string | null, boolean, boolean][] = [
  [null, false, false],
  ["", false, false],
  ["application/json", true, false],
  ["application/json; charset=utf-8", true, false],
  ["Application/JSON", true, false],
  ["application/vnd.kubernetes.protobuf", false, true],
  ["application/vnd.kubernetes.protobuf;stream=watch", false, true],
  ["application/merge-patch+json", false, false],
  ["application/yaml", false, false],
  ["application/cbor-seq", false, false],
];

for (const [contentType, json, protobuf] of CONTENT_TYPES) {
  Deno.test(`isJson/isProtobuf: ${JSON.stringify(contentType)}`, () => {
    assert.equal(isJson(contentType), json);
    assert.equal(isProtobuf(contentType), protobuf);
  });
}
