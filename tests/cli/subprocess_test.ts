/**
 * The real CLI as a subprocess (`deno run -A main.ts …`): bad flags and config files exit 2 with
 * one line naming the field.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const SERVER = ["--server", "https://10.0.0.1:6443"];

async function holdfast(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

const BAD_FLAGS: [string, string[], string][] = [
  [
    "a duration with a bad unit",
    ["--health-interval", "5x", ...SERVER],
    'holdfast: config: health.interval: "5x" is not a duration (use 500ms, 5s, 1m) (from --health-interval)',
  ],
  [
    "a non-http(s) server scheme",
    ["--server", "ftp://10.0.0.1:21"],
    'holdfast: config: servers: "ftp://10.0.0.1:21" is not an https:// (or http://) URL (from --server)',
  ],
  [
    "an unparsable server URL",
    ["--server", "10.0.0.1:6443"],
    'holdfast: config: servers: "10.0.0.1:6443" is not a URL (e.g. https://10.0.0.1:6443) (from --server)',
  ],
  [
    "a listen port out of range",
    ["--listen", "127.0.0.1:99999", ...SERVER],
    "holdfast: config: listen: port 99999 is out of range (0-65535) (from --listen)",
  ],
  [
    "an unreadable CA file",
    ["--upstream-ca", "/nonexistent/ca.crt", ...SERVER],
    'holdfast: config: upstream.ca: cannot read "/nonexistent/ca.crt": no such file (from --upstream-ca)',
  ],
  [
    "a threshold below 1",
    ["--unhealthy-threshold", "0", ...SERVER],
    "holdfast: config: health.unhealthyThreshold: 0 must be a whole number of at least 1 (from --unhealthy-threshold)",
  ],
  [
    "a timeout not shorter than the interval",
    ["--health-interval", "1s", "--health-timeout", "2s", ...SERVER],
    "holdfast: config: health.timeout: 2s must be shorter than health.interval (1s) (from --health-timeout)",
  ],
  [
    "a client certificate without a key",
    ["--upstream-cert", "/etc/hostname", ...SERVER],
    "holdfast: config: upstream.cert: a client certificate needs its key (upstream.key, --upstream-key) (from --upstream-cert)",
  ],
  [
    "an unknown log format",
    ["--log-format", "xml", ...SERVER],
    'holdfast: config: log.format: "xml" is not one of json, text (from --log-format)',
  ],
  [
    "no server at all",
    [],
    "holdfast: config: servers: no upstream server: give --server, servers: in the config file, or a kubeconfig",
  ],
];

for (const [title, args, message] of BAD_FLAGS) {
  Deno.test(`run exits 2 for ${title}`, async () => {
    const outcome = await holdfast(["run", ...args]);
    assert.equal(outcome.code, 2);
    assert.equal(outcome.stderr, `${message}\n`);
    assert.equal(outcome.stdout, "");
  });
}

const BAD_FILES: [string, string, RegExp][] = [
  [
    "an unknown key",
    "servers: [https://a:6443]\nhealth:\n  intervall: 5s\n",
    /^holdfast: config: health\.intervall: unknown key \(known keys under health: .*\) \(from .*c\.yaml:3:3\)\n$/,
  ],
  [
    "a wrongly typed value",
    "servers: [https://a:6443]\nhealth:\n  healthyThreshold: two\n",
    /^holdfast: config: health\.healthyThreshold: expected a whole number, got string "two" \(from .*c\.yaml:3:21\)\n$/,
  ],
  [
    "invalid YAML",
    "servers: [https://a:6443\nnodeName: x\n",
    /^holdfast: config: .*c\.yaml: invalid YAML at line \d+, column \d+: /,
  ],
];

for (const [title, text, pattern] of BAD_FILES) {
  Deno.test(`run --config exits 2 for ${title}`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/c.yaml`, text);
      const outcome = await holdfast(["run", "--config", `${dir}/c.yaml`]);
      assert.equal(outcome.code, 2);
      assert.match(outcome.stderr, pattern);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("run exits 2 for an unreadable config file", async () => {
  const outcome = await holdfast(["run", "--config", "/nonexistent/holdfast.yaml"]);
  assert.equal(outcome.code, 2);
  assert.equal(
    outcome.stderr,
    "holdfast: config: /nonexistent/holdfast.yaml: cannot read: no such file\n",
  );
});

Deno.test("version prints the version and exits 0", async () => {
  const outcome = await holdfast(["version"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /^holdfast \d+\.\d+\.\d+\n$/);
});
