/**
 * `holdfast install --root DIR` into a staging tree: the unit passes `systemd-analyze verify`, the
 * operator's config survives a re-install, `uninstall` removes what install wrote.
 */
import assert from "node:assert/strict";
import { runMain } from "./capture.ts";

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "holdfast-install-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

const ANALYZE = "/usr/bin/systemd-analyze";
const analyzer = await exists(ANALYZE);

Deno.test({
  name: "install: the unit passes systemd-analyze verify with no warning",
  ignore: !analyzer,
  fn: () =>
    withRoot(async (root) => {
      // verify checks that ExecStart exists: point it at an executable inside the staging tree.
      const bin = `${root}/usr/local/bin/holdfast`;
      await Deno.mkdir(`${root}/usr/local/bin`, { recursive: true });
      await Deno.writeTextFile(bin, "#!/bin/sh\n", { mode: 0o755 });
      const outcome = await runMain([
        "install",
        "--root",
        root,
        "--bin",
        bin,
        "--server",
        "https://10.0.0.1:6443",
      ]);
      assert.equal(outcome.code, 0, outcome.stderr);
      const unit = `${root}/etc/systemd/system/holdfast.service`;
      const verify = await new Deno.Command(ANALYZE, {
        args: ["verify", "--man=no", unit],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(verify.stderr) +
        new TextDecoder().decode(verify.stdout);
      assert.equal(verify.code, 0, said);
      assert.equal(said.trim(), "");
    }),
});

if (!analyzer) console.warn(`install test skipped: ${ANALYZE} is not installed (Debian: systemd)`);

Deno.test("install: writes the files, prints the lines for kubelet and kube-proxy", () =>
  withRoot(async (root) => {
    const outcome = await runMain(["install", "--root", root, "--server", "https://10.0.0.1:6443"]);
    assert.equal(outcome.code, 0, outcome.stderr);
    for (
      const path of [
        "/etc/systemd/system/holdfast.service",
        "/etc/holdfast/config.yaml",
        "/etc/holdfast/node.kubeconfig",
        "/usr/lib/sysusers.d/holdfast.conf",
      ]
    ) assert.ok(await exists(root + path), path);
    assert.equal((await Deno.stat(`${root}/etc/holdfast/config.yaml`)).mode! & 0o777, 0o640);
    assert.match(outcome.stdout, /^ {2}kubelet: +--kubeconfig=\/etc\/holdfast\/node.kubeconfig$/m);
    assert.match(outcome.stdout, /^ {2}kube-proxy: +--kubeconfig=/m);
    assert.doesNotMatch(outcome.stdout, /systemctl/, "a staging install starts nothing");
  }));

Deno.test("install: an existing config is the operator's and is kept", () =>
  withRoot(async (root) => {
    await Deno.mkdir(`${root}/etc/holdfast`, { recursive: true });
    await Deno.writeTextFile(`${root}/etc/holdfast/config.yaml`, "servers: [https://a:6443]\n");
    const outcome = await runMain(["install", "--root", root, "--server", "https://10.0.0.1:6443"]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /^kept .*\/etc\/holdfast\/config.yaml$/m);
    assert.equal(
      await Deno.readTextFile(`${root}/etc/holdfast/config.yaml`),
      "servers: [https://a:6443]\n",
    );
  }));

Deno.test("uninstall removes the unit, user entry and kubeconfig; --purge also config and cache", () =>
  withRoot(async (root) => {
    await runMain(["install", "--root", root, "--server", "https://10.0.0.1:6443"]);
    await Deno.mkdir(`${root}/var/lib/holdfast`, { recursive: true });
    assert.equal((await runMain(["uninstall", "--root", root])).code, 0);
    assert.ok(!await exists(`${root}/etc/systemd/system/holdfast.service`));
    assert.ok(!await exists(`${root}/usr/lib/sysusers.d/holdfast.conf`));
    assert.ok(await exists(`${root}/etc/holdfast/config.yaml`));
    assert.ok(await exists(`${root}/var/lib/holdfast`));
    assert.equal((await runMain(["uninstall", "--root", root, "--purge"])).code, 0);
    assert.ok(!await exists(`${root}/etc/holdfast/config.yaml`));
    assert.ok(!await exists(`${root}/var/lib/holdfast`));
  }));

const BAD: [string, string[], RegExp][] = [
  ["no upstream", [], /--server or --kubeconfig is needed/],
  ["a bad server", ["--server", "ftp://x"], /--server: "ftp:\/\/x" is not an https/],
  ["a relative bin", ["--server", "https://a", "--bin", "holdfast"], /--bin: .* absolute/],
  ["a bad user", ["--server", "https://a", "--user", "Bad User"], /--user: .* not a valid/],
];
for (const [what, args, message] of BAD) {
  Deno.test(`install: ${what} exits 2 and writes nothing`, () =>
    withRoot(async (root) => {
      const outcome = await runMain(["install", "--root", root, ...args]);
      assert.equal(outcome.code, 2);
      assert.match(outcome.stderr, message);
      assert.deepEqual([...Deno.readDirSync(root)], []);
    }));
}
