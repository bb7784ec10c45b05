import assert from "node:assert/strict";
import {
  decodeListQuery,
  type ListOptions,
  parseListOptions,
  queryFlag,
} from "../../src/kube/list_options.ts";
import type { Status } from "../../src/kube/status.ts";

function parse(query: string, verb: "list" | "watch"): ListOptions | Status {
  return parseListOptions(new URLSearchParams(query), verb);
}

function options(query: string, verb: "list" | "watch"): ListOptions {
  const result = parse(query, verb);
  assert.ok(!("code" in result), `unexpected Status: ${JSON.stringify(result)}`);
  return result;
}

function status(query: string, verb: "list" | "watch"): Status {
  const result = parse(query, verb);
  assert.ok("code" in result, `expected a Status, got ${JSON.stringify(result)}`);
  return result;
}

Deno.test("parseListOptions: empty query gives defaults", () => {
  assert.deepEqual(options("", "list"), {
    labelSelector: [],
    fieldSelector: [],
    labelSelectorText: "",
    fieldSelectorText: "",
    resourceVersion: "",
    resourceVersionMatch: "",
    limit: 0,
    continue: "",
    allowWatchBookmarks: false,
    watch: false,
  });
});

Deno.test("parseListOptions: reflector's first list (rv=0, limit=500, selectors)", () => {
  const result = options(
    "fieldSelector=spec.nodeName%3Dnode-a&labelSelector=b%3D1%2Ca&limit=500&resourceVersion=0",
    "list",
  );
  assert.deepEqual(result.fieldSelector, [{ field: "spec.nodeName", op: "=", value: "node-a" }]);
  assert.equal(result.fieldSelectorText, "spec.nodeName=node-a");
  assert.equal(result.labelSelectorText, "a,b=1");
  assert.equal(result.limit, 500);
  assert.equal(result.resourceVersion, "0");
  assert.equal(result.watch, false);
});

Deno.test("parseListOptions: reflector's watch with bookmarks and timeout", () => {
  const result = options(
    "allowWatchBookmarks=true&resourceVersion=12345&timeoutSeconds=411&watch=true",
    "watch",
  );
  assert.equal(result.watch, true);
  assert.equal(result.allowWatchBookmarks, true);
  assert.equal(result.timeoutSeconds, 411);
  assert.equal(result.resourceVersion, "12345");
  assert.equal(result.sendInitialEvents, undefined);
});

Deno.test("parseListOptions: watch-list request from the captured fixture", () => {
  const result = options(
    "&allowWatchBookmarks=true&resourceVersion=0&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&watch=true",
    "watch",
  );
  assert.equal(result.sendInitialEvents, true);
  assert.equal(result.resourceVersionMatch, "NotOlderThan");
  assert.equal(result.allowWatchBookmarks, true);
});

Deno.test("parseListOptions: watch-list with empty resourceVersion is valid", () => {
  const result = options(
    "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=",
    "watch",
  );
  assert.equal(result.resourceVersion, "");
});

Deno.test("parseListOptions: sendInitialEvents=false is kept as sent", () => {
  const result = options("sendInitialEvents=false&resourceVersionMatch=NotOlderThan", "watch");
  assert.equal(result.sendInitialEvents, false);
});

Deno.test("parseListOptions: selectors canonicalised (== and order)", () => {
  const result = options(
    `labelSelector=${encodeURIComponent("z==1, a in (y,x)")}&fieldSelector=${
      encodeURIComponent("status.phase!=Unknown,metadata.name==p")
    }`,
    "list",
  );
  assert.equal(result.labelSelectorText, "a in (x,y),z=1");
  assert.equal(result.fieldSelectorText, "metadata.name=p,status.phase!=Unknown");
});

Deno.test("parseListOptions: first value of a repeated parameter wins", () => {
  const result = options("limit=5&limit=x&resourceVersion=1&resourceVersion=2", "list");
  assert.equal(result.limit, 5);
  assert.equal(result.resourceVersion, "1");
});

const NUMBERS: [string, string, number][] = [
  ["limit with encoded plus sign", "limit=%2B7", 7],
  ["limit with leading zeros", "limit=007", 7],
  ["negative limit means none", "limit=-1", 0],
  ["zero limit means none", "limit=0", 0],
  ["int64 max limit", "limit=9223372036854775807", 9223372036854775807],
];

for (const [title, query, limit] of NUMBERS) {
  Deno.test(`parseListOptions: ${title}`, () => {
    assert.equal(options(query, "list").limit, limit);
  });
}

Deno.test("parseListOptions: negative and zero timeoutSeconds are kept", () => {
  assert.equal(options("timeoutSeconds=-5", "watch").timeoutSeconds, -5);
  assert.equal(options("timeoutSeconds=0", "watch").timeoutSeconds, 0);
});

const BOOLEANS: [string | null, boolean][] = [
  [null, false],
  ["true", true],
  ["1", true],
  ["", true],
  ["yes", true],
  ["false", false],
  ["False", false],
  ["FALSE", false],
  ["0", false],
  ["00", true],
];

for (const [value, expected] of BOOLEANS) {
  Deno.test(`queryFlag(${JSON.stringify(value)}) is ${expected}`, () => {
    assert.equal(queryFlag(value), expected);
  });
}

Deno.test("parseListOptions: allowWatchBookmarks with empty value is true", () => {
  assert.equal(options("allowWatchBookmarks", "watch").allowWatchBookmarks, true);
});

const BAD_REQUESTS: [string, string, "list" | "watch", string][] = [
  ["unparsable label selector", "labelSelector=a%2C", "list", "expected: identifier after ','"],
  [
    "invalid label value",
    `labelSelector=a%3D${"x".repeat(64)}`,
    "list",
    "unable to parse requirement",
  ],
  ["unparsable field selector", "fieldSelector=metadata.name", "watch", "can't understand"],
  ["bad field escape", "fieldSelector=a%3D%5Cx", "list", "invalid escape sequence"],
  ["non-numeric limit", "limit=abc", "list", 'parsing "abc": invalid syntax'],
  ["empty limit", "limit=", "list", "invalid syntax"],
  ["fractional limit", "limit=1.5", "list", "invalid syntax"],
  ["limit beyond int64", "limit=9223372036854775808", "list", "value out of range"],
  ["non-numeric timeoutSeconds", "timeoutSeconds=soon", "watch", "invalid syntax"],
  [
    "continue with a resourceVersion",
    "continue=abc&resourceVersion=5",
    "list",
    "specifying resource version is not allowed when using continue",
  ],
];

for (const [title, query, verb, message] of BAD_REQUESTS) {
  Deno.test(`parseListOptions 400: ${title}`, () => {
    const result = status(query, verb);
    assert.equal(result.code, 400);
    assert.equal(result.reason, "BadRequest");
    assert.equal(result.status, "Failure");
    assert.ok(result.message.includes(message), result.message);
  });
}

Deno.test("parseListOptions: continue with resourceVersion 0 or none is fine on a list", () => {
  assert.equal(options("continue=abc&resourceVersion=0", "list").continue, "abc");
  assert.equal(options("continue=abc", "list").continue, "abc");
});

Deno.test("parseListOptions: continue with a resourceVersion is ignored on a watch", () => {
  assert.equal(options("continue=abc&resourceVersion=5", "watch").continue, "abc");
});

const INVALID: [string, string, "list" | "watch", string[]][] = [
  ["sendInitialEvents on a list", "sendInitialEvents=true", "list", [
    "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list",
  ]],
  ["sendInitialEvents=false on a list", "sendInitialEvents=false&resourceVersion=1", "list", [
    "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list",
  ]],
  [
    "resourceVersionMatch without resourceVersion on a list",
    "resourceVersionMatch=NotOlderThan",
    "list",
    [
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
    ],
  ],
  [
    "resourceVersionMatch with continue on a list",
    "resourceVersionMatch=Exact&resourceVersion=5&continue=c",
    "list",
    [
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided",
    ],
  ],
  [
    "unknown resourceVersionMatch on a list",
    "resourceVersionMatch=bogus&resourceVersion=1",
    "list",
    [
      'resourceVersionMatch: Unsupported value: "bogus": supported values: "Exact", "NotOlderThan", ""',
    ],
  ],
  ["Exact at resourceVersion 0", "resourceVersionMatch=Exact&resourceVersion=0", "list", [
    'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
  ]],
  ["sendInitialEvents without resourceVersionMatch", "sendInitialEvents=true&watch=true", "watch", [
    "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
  ]],
  [
    "resourceVersionMatch on a watch without sendInitialEvents",
    "resourceVersionMatch=NotOlderThan&resourceVersion=1",
    "watch",
    [
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
    ],
  ],
  ["Exact on a watch-list", "sendInitialEvents=true&resourceVersionMatch=Exact", "watch", [
    "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
    'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"',
  ]],
  [
    "watch-list with continue",
    "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&continue=c",
    "watch",
    [
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided",
    ],
  ],
  [
    "several list errors at once",
    "resourceVersionMatch=bogus&continue=c&sendInitialEvents=1",
    "list",
    [
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided",
      'resourceVersionMatch: Unsupported value: "bogus": supported values: "Exact", "NotOlderThan", ""',
      "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list",
    ],
  ],
];

for (const [title, query, verb, errors] of INVALID) {
  Deno.test(`parseListOptions 422: ${title}`, () => {
    const result = status(query, verb);
    assert.equal(result.code, 422);
    assert.equal(result.reason, "Invalid");
    const aggregate = errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
    assert.equal(result.message, `ListOptions.meta.k8s.io "" is invalid: ${aggregate}`);
    assert.equal(result.details?.group, "meta.k8s.io");
    assert.equal(result.details?.kind, "ListOptions");
    assert.deepEqual(
      result.details?.causes?.map((c) => `${c.field}: ${c.message}`),
      errors,
    );
    for (const cause of result.details?.causes ?? []) {
      assert.match(cause.reason ?? "", /^FieldValue(Forbidden|NotSupported)$/);
    }
  });
}

Deno.test("parseListOptions: selector errors come before rule violations", () => {
  const result = status("labelSelector=%3D&sendInitialEvents=true", "list");
  assert.equal(result.code, 400);
});

Deno.test("parseListOptions: Exact with a resourceVersion on a list is valid", () => {
  assert.equal(
    options("resourceVersionMatch=Exact&resourceVersion=7", "list").resourceVersionMatch,
    "Exact",
  );
});

Deno.test("decodeListQuery: reports the watch flag and leaves validation out", () => {
  const decoded = decodeListQuery(new URLSearchParams("watch=1&resourceVersionMatch=bogus"));
  assert.ok(typeof decoded !== "string");
  assert.equal(decoded.watch, true);
  assert.equal(decoded.resourceVersionMatch, "bogus");
});

Deno.test("decodeListQuery: returns the message for an unparsable number", () => {
  assert.equal(
    decodeListQuery(new URLSearchParams("timeoutSeconds=x")),
    'strconv.ParseInt: parsing "x": invalid syntax',
  );
});

Deno.test("parseListOptions: a raw + in the query is a space, so limit=+7 is a 400", () => {
  assert.equal(status("limit=+7", "list").code, 400);
});
