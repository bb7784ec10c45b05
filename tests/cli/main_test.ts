import assert from "node:assert/strict";
import { runMain } from "./capture.ts";

const EXAMPLE = new URL("../../config.example.yaml", import.meta.url).pathname;

Deno.test("an unknown option exits 2 naming it", async () => {
  const outcome = await runMain(["run", "--no-such-flag"]);
  assert.equal(outcome.code, 2);
  assert.match(outcome.stderr, /^holdfast: unknown option '--no-such-flag'/);
});

Deno.test("an unknown command exits 2", async () => {
  assert.equal((await runMain(["frobnicate"])).code, 2);
});

Deno.test("no command prints help and exits 2", async () => {
  const outcome = await runMain([]);
  assert.equal(outcome.code, 2);
  assert.match(outcome.stderr, /Usage: holdfast/);
});

Deno.test("--help exits 0 and lists the commands", async () => {
  const outcome = await runMain(["--help"]);
  assert.equal(outcome.code, 0);
  for (
    const command of ["run", "version", "status", "check-config", "cache", "install", "uninstall"]
  ) {
    assert.match(outcome.stdout, new RegExp(`^  ${command}\\b`, "m"));
  }
});

Deno.test("run --help lists every flag", async () => {
  const outcome = await runMain(["run", "--help"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /--health-interval <DURATION>/);
  assert.match(outcome.stdout, /--upstream-token-file <FILE>/);
});

Deno.test("run with a bad flag value exits 2 before starting anything", async () => {
  const outcome = await runMain(["run", "--server", "https://a:6443", "--lb-mode", "random"]);
  assert.deepEqual(outcome, {
    code: 2,
    stdout: "",
    stderr:
      'holdfast: config: lbMode: "random" is not one of round-robin, priority (from --lb-mode)\n',
  });
});

Deno.test("run with an unknown --anonymous-requests exits 2 naming the field", async () => {
  const outcome = await runMain([
    "run",
    "--server",
    "https://a:6443",
    "--anonymous-requests",
    "allow",
  ]);
  assert.deepEqual(outcome, {
    code: 2,
    stdout: "",
    stderr: 'holdfast: config: anonymousRequests: "allow" is not one of ' +
      "node-identity-for-loopback-components, refuse (from --anonymous-requests)\n",
  });
});

Deno.test("run with a flag missing its value exits 2", async () => {
  const outcome = await runMain(["run", "--server"]);
  assert.equal(outcome.code, 2);
  assert.match(outcome.stderr, /argument missing/);
});

Deno.test("check-config prints the resolved config and exits 0 for a valid file", async () => {
  const outcome = await runMain(["check-config", EXAMPLE]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /is valid/);
  assert.match(outcome.stdout, /^ {2}interval: 5s$/m);
});

Deno.test("check-config redacts the token it read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/token`, "very-secret-token");
    await Deno.writeTextFile(
      `${dir}/c.yaml`,
      "servers: [https://a:6443]\nupstream:\n  tokenFile: token\n",
    );
    const outcome = await runMain(["check-config", `${dir}/c.yaml`]);
    assert.equal(outcome.code, 0);
    assert.ok(!outcome.stdout.includes("very-secret-token"));
    assert.match(outcome.stdout, /token: \(redacted\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check-config exits 2 for an invalid file, naming the field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/c.yaml`, "servers: [https://a:6443]\nlog:\n  level: loud\n");
    const outcome = await runMain(["check-config", `${dir}/c.yaml`]);
    assert.equal(outcome.code, 2);
    assert.equal(
      outcome.stderr,
      `holdfast: config: log.level: "loud" is not one of debug, info, warn, error (from ${dir}/c.yaml:3:10)\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check-config without a file exits 2", async () => {
  assert.equal((await runMain(["check-config"])).code, 2);
});

Deno.test("run refuses an admin address off loopback, and a bad sealed resource, with exit 2", async () => {
  const run = (...flags: string[]) => runMain(["run", "--server", "https://a:6443", ...flags]);
  const remote = await run("--admin-listen", "0.0.0.0:1");
  assert.equal(remote.code, 2);
  assert.match(remote.stderr, /adminListen: "0.0.0.0" is not a loopback address/);
  const sealed = await run(
    "--admin-allow-remote",
    "--admin-listen",
    "0.0.0.0:1",
    "--cache-sealed-resources",
    "secrets,Bad",
  );
  assert.equal(sealed.code, 2);
  assert.match(sealed.stderr, /cacheSealedResources: "Bad" is not a resource name/);
});
