/**
 * The real control plane (`deno task realcluster`): kubectl against kube-apiserver directly and
 * through holdfast. Needs the binaries already built in the cache (`deno task realcluster
 * --build-only` builds them); the test never builds them itself, and says so when it skips.
 */
import { assert, assertEquals } from "../../assert.ts";
import { testAgentConfig } from "../../harness.ts";
import { startAgent } from "../../../src/agent.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { kubeconfigYaml } from "../../../scripts/apiserver-sim/kubeconfig.ts";
import { ETCD, KUBE_APISERVER, planBinary } from "../../../scripts/realcluster/binaries.ts";
import { startRealCluster } from "../../../scripts/realcluster/cluster.ts";

const plans = await Promise.all([planBinary(KUBE_APISERVER), planBinary(ETCD)]);
const missing = [];
for (const plan of plans) {
  try {
    await Deno.stat(plan.path);
  } catch {
    missing.push(`${plan.binary.name} ${plan.version} (${plan.path})`);
  }
}
if (missing.length) {
  console.log(
    `skipping the real-cluster tests: not built yet: ${missing.join(", ")}; ` +
      "`deno task realcluster --build-only` builds them (tens of minutes on one core)",
  );
}

async function kubectl(kubeconfig: string, ...args: string[]) {
  const out = await new Deno.Command("kubectl", {
    args: [`--kubeconfig=${kubeconfig}`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test({
  name: "realcluster: kubectl works against the real kube-apiserver, directly and through holdfast",
  ignore: missing.length > 0,
  sanitizeResources: false,
  async fn() {
    const cluster = await startRealCluster();
    const dir = cluster.dir;
    try {
      const admin = cluster.kubeconfigs.admin;
      const version = JSON.parse((await kubectl(admin, "get", "--raw", "/version")).stdout);
      assertEquals(version.gitVersion, cluster.versions.kubeApiserver);

      const created = await kubectl(admin, "create", "configmap", "real", "--from-literal=a=1");
      assertEquals(created.code, 0, created.stderr);

      const config = {
        ...testAgentConfig(new URL(cluster.url), {
          caCert: cluster.caCert,
          clientCert: await Deno.readTextFile(cluster.pki.admin.certFile!),
          clientKey: await Deno.readTextFile(cluster.pki.admin.keyFile!),
        }, dir),
        health: {
          path: "/readyz",
          intervalMs: 1_000,
          timeoutMs: 5_000,
          unhealthyThreshold: 3,
          healthyThreshold: 1,
        },
      };
      const agent = await startAgent(config, createLogger(config.log));
      try {
        const viaHoldfast = `${dir}/via-holdfast.kubeconfig`;
        await Deno.writeTextFile(
          viaHoldfast,
          kubeconfigYaml({ server: `http://127.0.0.1:${agent.proxyAddress.port}` }),
        );
        const namespaces = await kubectl(viaHoldfast, "get", "namespaces", "-o", "name");
        assertEquals(namespaces.code, 0, namespaces.stderr);
        for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
          assert(namespaces.stdout.includes(`namespace/${ns}\n`), namespaces.stdout);
        }
        const direct = await kubectl(admin, "get", "configmap", "real", "-o", "json");
        const proxied = await kubectl(viaHoldfast, "get", "configmap", "real", "-o", "json");
        assertEquals(proxied.code, 0, proxied.stderr);
        assertEquals(JSON.parse(proxied.stdout), JSON.parse(direct.stdout));

        const patched = await kubectl(
          viaHoldfast,
          "patch",
          "configmap",
          "real",
          "--type=merge",
          "-p",
          '{"data":{"b":"2"}}',
        );
        assertEquals(patched.code, 0, patched.stderr);
        const after = JSON.parse((await kubectl(admin, "get", "cm", "real", "-o", "json")).stdout);
        assertEquals(after.data, { a: "1", b: "2" });

        const absentDirect = await kubectl(admin, "get", "configmap", "absent");
        const absentProxied = await kubectl(viaHoldfast, "get", "configmap", "absent");
        assertEquals(absentProxied.code, 1);
        assertEquals(absentProxied.stderr, absentDirect.stderr);
      } finally {
        await agent.shutdown();
      }
    } finally {
      await cluster.close();
    }
    const left = await Deno.stat(dir).then(() => true, () => false);
    assert(!left, `${dir} was not removed`);
  },
});
