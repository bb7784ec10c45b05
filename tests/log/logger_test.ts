import assert from "node:assert/strict";
import { createLogger, type LoggerOptions } from "../../src/log/logger.ts";

function capture(options: LoggerOptions) {
  const lines: string[] = [];
  return { lines, logger: createLogger(options, (line) => lines.push(line)) };
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

Deno.test("json format writes time, level, msg, then the fields", () => {
  const { lines, logger } = capture({ level: "info", format: "json" });
  logger.info("upstream healthy", { server: "https://a:6443", attempts: 3, ok: true });
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(record), ["time", "level", "msg", "server", "attempts", "ok"]);
  assert.match(record.time, ISO_TIME);
  assert.equal(record.level, "info");
  assert.equal(record.msg, "upstream healthy");
  assert.equal(record.attempts, 3);
});

Deno.test("json format renames fields that clash with time, level or msg", () => {
  const { lines, logger } = capture({ level: "info", format: "json" });
  logger.info("real", { msg: "fake", level: "x" });
  const record = JSON.parse(lines[0]);
  assert.equal(record.msg, "real");
  assert.equal(record.msg_, "fake");
  assert.equal(record.level_, "x");
});

Deno.test("text format writes TIME LEVEL msg key=value, quoting where needed", () => {
  const { lines, logger } = capture({ level: "debug", format: "text" });
  logger.warn("cache dropped", {
    reason: "queue full",
    bytes: 10,
    path: "/api/v1/pods",
    empty: "",
  });
  const [time, level, ...rest] = lines[0].split(" ");
  assert.match(time, ISO_TIME);
  assert.equal(level, "WARN");
  assert.equal(
    rest.filter((part) => part !== "").join(" "),
    'cache dropped reason="queue full" bytes=10 path=/api/v1/pods empty=""',
  );
});

Deno.test("text format keeps a multi-line message on one line", () => {
  const { lines, logger } = capture({ level: "info", format: "text" });
  logger.info("a\nb");
  assert.ok(lines[0].endsWith("a\\nb"));
});

Deno.test("levels below the threshold write nothing", () => {
  const { lines, logger } = capture({ level: "warn", format: "json" });
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
  assert.deepEqual(lines.map((line) => JSON.parse(line).level), ["warn", "error"]);
});

Deno.test("enabled reports whether a level is written", () => {
  const { logger } = capture({ level: "info", format: "text" });
  assert.equal(logger.enabled("debug"), false);
  assert.equal(logger.enabled("info"), true);
  assert.equal(logger.enabled("error"), true);
});

Deno.test("child adds its fields to every line, and a line's own fields win", () => {
  const { lines, logger } = capture({ level: "info", format: "json" });
  const child = logger.child({ component: "kubelet", verb: "list" }).child({ resource: "pods" });
  child.info("served", { verb: "watch" });
  const record = JSON.parse(lines[0]);
  assert.equal(record.component, "kubelet");
  assert.equal(record.resource, "pods");
  assert.equal(record.verb, "watch");
});

Deno.test("child keeps the parent's level", () => {
  const { lines, logger } = capture({ level: "error", format: "json" });
  logger.child({ a: 1 }).info("hidden");
  assert.equal(lines.length, 0);
});

Deno.test("secret fields are redacted in both formats", () => {
  for (const format of ["json", "text"] as const) {
    const { lines, logger } = capture({ level: "info", format });
    logger.info("request", {
      authorization: "Bearer abc.def",
      clientKey: "-----BEGIN EC PRIVATE KEY-----",
      headers: { "x-auth-token": "tok", accept: "application/json" },
      tokenFile: "/var/lib/token",
    });
    const line = lines[0];
    for (const secret of ["abc.def", "PRIVATE KEY", 'tok"']) {
      assert.ok(!line.includes(secret), `${format} leaked ${secret}: ${line}`);
    }
    assert.ok(line.includes("/var/lib/token"), "a token's file path is not a secret");
    assert.ok(line.includes("application/json"));
  }
});

Deno.test("errors are logged with their message and cause", () => {
  const { lines, logger } = capture({ level: "info", format: "json" });
  const cause = new Error("invalid peer certificate: UnknownIssuer");
  logger.error("upstream failed", { error: new TypeError("fetch failed", { cause }) });
  assert.equal(
    JSON.parse(lines[0]).error,
    "TypeError: fetch failed (cause: invalid peer certificate: UnknownIssuer)",
  );
});

Deno.test("values JSON cannot hold are still logged (bigint, bytes, circular)", () => {
  const { lines, logger } = capture({ level: "info", format: "json" });
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  logger.info("odd", { rv: 12n, body: new Uint8Array(3), loop: circular, skipped: undefined });
  const record = JSON.parse(lines[0]);
  assert.equal(record.rv, "12");
  assert.equal(record.body, "<3 bytes>");
  assert.equal(record.loop, "[unserializable]");
  assert.ok(!lines[0].includes("skipped"));
});

Deno.test("setLevel changes the level of a logger and its children at once", () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "info", format: "text" }, (line) => lines.push(line));
  const child = logger.child({ component: "kubelet" });
  child.debug("hidden");
  logger.setLevel("debug");
  child.debug("shown");
  assert.equal(logger.enabled("debug"), true);
  child.setLevel("error");
  logger.warn("hidden too");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /DEBUG shown component=kubelet$/);
});
