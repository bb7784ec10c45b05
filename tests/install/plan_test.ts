import assert from "node:assert/strict";
import { parse } from "yaml";
import { ConfigError } from "../../src/config/error.ts";
import { loadConfig } from "../../src/config/load.ts";
import {
  configFile,
  installFiles,
  nodeKubeconfig,
  systemdUnit,
  uninstallPaths,
} from "../../src/install/plan.ts";

const OPTIONS = {
  bin: "/usr/local/bin/holdfast",
  user: "holdfast",
  servers: ["https://10.0.0.1:6443", "https://10.0.0.2:6443"],
};

function directives(unit: string): Map<string, string[]> {
  const all = new Map<string, string[]>();
  for (const line of unit.split("\n")) {
    const match = /^(\w+)=(.*)$/.exec(line);
    if (match) all.set(match[1], [...all.get(match[1]) ?? [], match[2]]);
  }
  return all;
}

Deno.test("unit: restarts always, many files, state directory, runs the config", () => {
  const unit = directives(systemdUnit(OPTIONS));
  assert.deepEqual(unit.get("Restart"), ["always"]);
  assert.deepEqual(unit.get("LimitNOFILE"), ["65536"]);
  assert.deepEqual(unit.get("StateDirectory"), ["holdfast"]);
  assert.deepEqual(unit.get("User"), ["holdfast"]);
  assert.deepEqual(unit.get("ExecStart"), [
    "/usr/local/bin/holdfast run --config /etc/holdfast/config.yaml",
  ]);
  assert.deepEqual(unit.get("WantedBy"), ["multi-user.target"]);
});

Deno.test("unit: --user root runs without User= and writes no sysusers entry", () => {
  const options = { ...OPTIONS, user: "root" };
  assert.equal(directives(systemdUnit(options)).get("User"), undefined);
  assert.ok(!installFiles(options).some((f) => f.path.includes("sysusers")));
  assert.ok(installFiles(OPTIONS).some((f) => f.path === "/usr/lib/sysusers.d/holdfast.conf"));
});

Deno.test("config: the example with the operator's servers is a valid config", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/config.yaml`;
    await Deno.writeTextFile(file, configFile(OPTIONS));
    const config = await loadConfig({ configFile: file });
    if (config instanceof ConfigError) assert.fail(String(config));
    assert.deepEqual(config.servers.map((u) => u.href), [
      "https://10.0.0.1:6443/",
      "https://10.0.0.2:6443/",
    ]);
    assert.equal(config.cachePath, "/var/lib/holdfast/cache.kv");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config: a kubeconfig replaces the example's servers; comments are kept", () => {
  const text = configFile({ ...OPTIONS, servers: [], kubeconfig: "/etc/kubernetes/kubelet.conf" });
  const values = parse(text);
  assert.equal(values.servers, undefined);
  assert.equal(values.kubeconfig, "/etc/kubernetes/kubelet.conf");
  assert.match(text, /^# Where the proxy listens/m);
});

Deno.test("node kubeconfig: one cluster, the proxy's address, no credentials", () => {
  const kubeconfig = parse(nodeKubeconfig("127.0.0.1:10261"));
  assert.equal(kubeconfig["current-context"], "holdfast");
  assert.deepEqual(kubeconfig.clusters, [
    { name: "holdfast", cluster: { server: "http://127.0.0.1:10261" } },
  ]);
  assert.equal(kubeconfig.users, undefined);
});

Deno.test("uninstall keeps the config and the cache unless purged", () => {
  assert.ok(!uninstallPaths(false).includes("/var/lib/holdfast"));
  assert.ok(!uninstallPaths(false).includes("/etc/holdfast/config.yaml"));
  assert.ok(uninstallPaths(true).includes("/var/lib/holdfast"));
  for (const file of installFiles(OPTIONS)) {
    if (file.keepExisting) continue;
    assert.ok(uninstallPaths(false).includes(file.path), file.path);
  }
});
