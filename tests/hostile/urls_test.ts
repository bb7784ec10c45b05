/**
 * Hostile input, request targets: 400 generated malformed paths and queries (percent-escapes,
 * dot segments, encoded separators and controls, characters outside RFC 3986, segments up to
 * 60 KB), online and offline, each answered with a `Status` whose code is the HTTP code; and
 * request heads over Deno's HTTP server limits (a 100 KB path, a 1 MB query, a 1 MB header, 200
 * headers, a raw DEL), refused by it before holdfast sees them. A well-behaved client is served
 * throughout, and nothing refused reaches the apiserver.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { startStack } from "../harness.ts";
import { seededRandom } from "../kube/json/fixtures.ts";
import { type RawAnswer, rawRequest } from "../raw_http.ts";
import { decodeStatus } from "../../src/kube/protobuf/status.ts";
import { goOffline, pick, waitCached, whileServing } from "./helpers.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const WORDS = [
  "api",
  "apis",
  "v1",
  "apps",
  "namespaces",
  "default",
  "kube-system",
  "pods",
  "nodes",
  "configmaps",
  "status",
  "log",
  "x",
];
const PIECES = [
  "%2F",
  "%2f",
  "%5C",
  "%00",
  "%0d%0a",
  "%zz",
  "%",
  "%C0%AF",
  "%E2%80%AE",
  "%FF",
  "..",
  ".",
  "%2e%2e",
  "%2E",
  "@",
  "\\",
  "~",
  ";",
  ",",
  "=",
  "&",
  "!",
  "$",
  "'",
  "(",
  ")",
  "*",
  "+",
  ":",
  "[",
  "]",
  "{",
  "}",
  "|",
  "^",
  "`",
  '"',
  "<",
  ">",
  "#",
  "",
  "é",
  "日本",
];
const PARAMS = [
  "labelSelector",
  "fieldSelector",
  "resourceVersion",
  "limit",
  "continue",
  "timeoutSeconds",
  "pretty",
  "x",
  "",
];

function segment(next: () => number, longest: number): string {
  const roll = next();
  if (roll < 0.4) return pick(next, WORDS);
  if (roll < 0.45) return "a".repeat(1 + Math.floor(next() * longest));
  return Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(next, [...PIECES, ...WORDS]))
    .join("");
}

/**
 * A generated request target of at most `longest` bytes (never a watch: a watch would not end by
 * itself).
 */
function target(next: () => number, longest: number): string {
  const count = (most: number) => Array.from({ length: 1 + Math.floor(next() * most) });
  const path = "/" + count(7).map(() => segment(next, longest)).join("/");
  if (next() < 0.5) return path.slice(0, longest);
  const values = [...PIECES, ...WORDS, "-1", "99999999999999999999"];
  const param = () => `${pick(next, PARAMS)}=${count(4).map(() => pick(next, values)).join("")}`;
  const query = count(3).map(param).join(pick(next, ["&", ";", "&&"]));
  return `${path}?${query}`.slice(0, longest);
}

/**
 * Asserts `answer` is an HTTP answer whose error, if it is one, is a `Status` of its code: in
 * protobuf when the client asked for it and holdfast answered (`local`), in either format (or
 * kube-apiserver's plain-text 404 for a path no API serves) when the answer may be the apiserver's.
 */
function assertAnswered(answer: RawAnswer, what: string, protobuf = false, local = true): void {
  assert(answer.status >= 200 && answer.status < 600, `${what}: no HTTP answer: ${answer.body}`);
  if (answer.status < 400) return;
  const contentType = answer.headers.get("content-type");
  if (local) assertEquals(contentType, protobuf ? PROTOBUF : "application/json", what);
  // kube-apiserver answers a path outside every API group in plain text, as Go's mux does.
  if (!local && answer.status === 404 && contentType?.startsWith("text/plain")) {
    return assertEquals(answer.body, "404 page not found\n", what);
  }
  let status;
  try {
    status = contentType === PROTOBUF ? decodeStatus(answer.bytes) : JSON.parse(answer.body);
  } catch {
    throw new Error(
      `${what}: HTTP ${answer.status} without a Status: ${answer.body.slice(0, 200)}`,
    );
  }
  assertEquals([status.kind, status.code], ["Status", answer.status], what);
  // holdfast's "failed to handle" 500 is a bug; kube-apiserver's only 500 here is its answer to a
  // resourceVersion that is not a number.
  if (answer.status === 500) {
    assert(status.message.includes("resourceVersion"), `${what}: ${status.message}`);
  }
}

async function sendTargets(port: number, seed: number, longest: number, where: string) {
  const next = seededRandom(seed);
  for (let i = 0; i < 200; i++) {
    const t = target(next, longest);
    const protobuf = next() < 0.3;
    const head = `GET ${t} HTTP/1.1\r\nHost: proxy\r\nUser-Agent: kubelet/v1.31.0` +
      (protobuf ? `\r\nAccept: ${PROTOBUF}, application/json` : "");
    const what = `${where} #${i} GET ${t.slice(0, 200)}${protobuf ? " (protobuf)" : ""}`;
    assertAnswered(await rawRequest(port, head), what, protobuf, where === "offline");
  }
}

Deno.test("hostile URLs: 200 generated malformed targets online and 200 offline each get a Status; others are served", async () => {
  await using stack = await startStack();
  const port = stack.agent.proxyAddress.port;
  // Online targets stay under the simulator's own 16 KiB head limit (HTTP/2), which a real
  // kube-apiserver (1 MiB) does not have; offline they go up to Deno's 64 KiB.
  await whileServing(stack.proxyUrl, () => sendTargets(port, 4101, 12_000, "online"));
  await waitCached(stack, "kubelet", "configmaps");
  await goOffline(stack);
  await whileServing(stack.proxyUrl, () => sendTargets(port, 4102, 62_000, "offline"));
});

Deno.test("hostile URLs: heads over Deno's limits are refused before holdfast, never forwarded; others are served", async () => {
  await using stack = await startStack();
  const port = stack.agent.proxyAddress.port;
  const base = "Host: proxy\r\nUser-Agent: kubelet/v1.31.0";
  const heads: [string, string][] = [
    [
      "a 100 KB path",
      `GET /api/v1/namespaces/default/configmaps/${"b".repeat(100_000)} HTTP/1.1\r\n${base}`,
    ],
    [
      "a 1 MB query",
      `GET /api/v1/namespaces/default/configmaps?labelSelector=${
        "b".repeat(1_000_000)
      } HTTP/1.1\r\n${base}`,
    ],
    [
      "a 1 MB header",
      `GET /api/v1/namespaces/default/configmaps/c HTTP/1.1\r\n${base}\r\nX-Big: ${
        "b".repeat(1_000_000)
      }`,
    ],
    [
      "200 headers",
      `GET /api/v1/namespaces/default/configmaps/c HTTP/1.1\r\n${base}\r\n${
        Array.from({ length: 200 }, (_, i) => `X-H${i}: b`).join("\r\n")
      }`,
    ],
    [
      "a raw DEL in the path",
      `GET /api/v1/namespaces/default/configmaps/c\x7f HTTP/1.1\r\n${base}`,
    ],
  ];
  await whileServing(stack.proxyUrl, async () => {
    for (const [what, head] of heads) {
      const answer = await rawRequest(port, head);
      assertEquals([answer.status, answer.body], [400, ""], what);
    }
  });
  assertEquals(stack.sim.requests.recent({ path: /configmaps\/|labelSelector/ }), []);
  // Just under the limits, the request is holdfast's to answer: a Status, as for any target.
  await waitCached(stack, "kubelet", "configmaps");
  await goOffline(stack);
  const under = await rawRequest(
    port,
    `GET /api/v1/namespaces/default/configmaps/${"b".repeat(65_000)} HTTP/1.1\r\n${base}`,
  );
  assertAnswered(under, "a 65 KB path");
  assertEquals(under.status, 503);
});
