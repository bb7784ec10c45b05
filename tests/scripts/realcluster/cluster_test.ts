/**
 * The real control plane (`deno task realcluster`): kubectl and client-go (`nodeclient`) against
 * kube-apiserver directly and through holdfast. Needs the binaries already built in the cache (`deno task realcluster
 * --build-only` builds them); the test never builds them itself, and says so when it skips.
 */
import { assert, assertEquals } from "../../assert.ts";
import { testAgentConfig } from "../../harness.ts";
import { startAgent } from "../../../src/agent.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { kubeconfigYaml } from "../../../scripts/apiserver-sim/kubeconfig.ts";
import { cachedBinaries } from "../../../scripts/realcluster/binaries.ts";
import { type RealCluster, startRealCluster } from "../../../scripts/realcluster/cluster.ts";

const { nodeclient: nodeclientPlan, missing } = await cachedBinaries();
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

/** holdfast in this process in front of `cluster` (administrator credentials), and a kubeconfig. */
async function startHoldfast(cluster: RealCluster) {
  const config = testAgentConfig(new URL(cluster.url), {
    caCert: cluster.caCert,
    clientCert: await Deno.readTextFile(cluster.pki.admin.certFile!),
    clientKey: await Deno.readTextFile(cluster.pki.admin.keyFile!),
  }, cluster.dir);
  const agent = await startAgent(config, createLogger(config.log));
  const kubeconfig = `${cluster.dir}/via-holdfast.kubeconfig`;
  await Deno.writeTextFile(
    kubeconfig,
    kubeconfigYaml({ server: `http://127.0.0.1:${agent.proxyAddress.port}` }),
  );
  return { kubeconfig, [Symbol.asyncDispose]: () => agent.shutdown() };
}

/** Starts a cluster, runs `fn` against it, stops it and checks its folder is gone. */
async function withCluster(fn: (cluster: RealCluster) => Promise<void>): Promise<void> {
  const cluster = await startRealCluster();
  try {
    await fn(cluster);
  } finally {
    await cluster.close();
  }
  const left = await Deno.stat(cluster.dir).then(() => true, () => false);
  assert(!left, `${cluster.dir} was not removed`);
}

Deno.test({
  name: "realcluster: kubectl works against the real kube-apiserver, directly and through holdfast",
  ignore: missing.length > 0,
  sanitizeResources: false,
  fn: () =>
    withCluster(async (cluster) => {
      const admin = cluster.kubeconfigs.admin;
      const version = JSON.parse((await kubectl(admin, "get", "--raw", "/version")).stdout);
      assertEquals(version.gitVersion, cluster.versions.kubeApiserver);
      const created = await kubectl(admin, "create", "configmap", "real", "--from-literal=a=1");
      assertEquals(created.code, 0, created.stderr);

      await using holdfast = await startHoldfast(cluster);
      const via = holdfast.kubeconfig;
      const namespaces = await kubectl(via, "get", "namespaces", "-o", "name");
      assertEquals(namespaces.code, 0, namespaces.stderr);
      for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
        assert(namespaces.stdout.includes(`namespace/${ns}\n`), namespaces.stdout);
      }
      const direct = await kubectl(admin, "get", "configmap", "real", "-o", "json");
      const proxied = await kubectl(via, "get", "configmap", "real", "-o", "json");
      assertEquals(proxied.code, 0, proxied.stderr);
      assertEquals(JSON.parse(proxied.stdout), JSON.parse(direct.stdout));

      const patch = ["patch", "configmap", "real", "--type=merge", "-p", '{"data":{"b":"2"}}'];
      const patched = await kubectl(via, ...patch);
      assertEquals(patched.code, 0, patched.stderr);
      const after = JSON.parse((await kubectl(admin, "get", "cm", "real", "-o", "json")).stdout);
      assertEquals(after.data, { a: "1", b: "2" });

      const absentDirect = await kubectl(admin, "get", "configmap", "absent");
      const absentProxied = await kubectl(via, "get", "configmap", "absent");
      assertEquals(absentProxied.code, 1);
      assertEquals(absentProxied.stderr, absentDirect.stderr);
    }),
});

interface NodeclientLine {
  event: string;
  informer?: string;
  objects?: string[];
  url?: string;
  status?: number;
}

/** Runs nodeclient for a few seconds against `kubeconfig` and returns its JSON lines. */
async function nodeclient(kubeconfig: string, ...flags: string[]): Promise<NodeclientLine[]> {
  const out = await new Deno.Command(nodeclientPlan.path, {
    args: [`--kubeconfig=${kubeconfig}`, "--duration=4s", "--lease-interval=1s", ...flags],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, text + new TextDecoder().decode(out.stderr));
  return text.trimEnd().split("\n").map((line) => JSON.parse(line));
}

/** Each informer's cached `namespace/name`s (resourceVersions dropped: leases move them). */
function caches(lines: NodeclientLine[]): Record<string, string[]> {
  return Object.fromEntries(
    lines.filter((l) => l.event === "cache").map((l) => [
      l.informer!,
      l.objects!.map((o) => o.slice(0, o.lastIndexOf("@"))),
    ]),
  );
}

Deno.test({
  name: "realcluster: client-go informers, leases, status patches and events work through holdfast",
  ignore: missing.length > 0,
  sanitizeResources: false,
  fn: () =>
    withCluster(async (cluster) => {
      const manifest = `${cluster.dir}/objects.json`;
      await Deno.writeTextFile(
        manifest,
        JSON.stringify({
          apiVersion: "v1",
          kind: "List",
          items: [
            {
              apiVersion: "v1",
              kind: "Service",
              metadata: { name: "web", namespace: "default" },
              spec: { ports: [{ port: 80 }] },
            },
            {
              apiVersion: "discovery.k8s.io/v1",
              kind: "EndpointSlice",
              metadata: {
                name: "web-1",
                namespace: "default",
                labels: { "kubernetes.io/service-name": "web" },
              },
              addressType: "IPv4",
              endpoints: [{ addresses: ["10.1.0.5"], nodeName: "node-0" }],
              ports: [{ port: 80, protocol: "TCP", name: "" }],
            },
          ],
        }),
      );
      const applied = await kubectl(cluster.kubeconfigs.admin, "apply", "-f", manifest);
      assertEquals(applied.code, 0, applied.stderr);
      const expected = {
        pods: [],
        nodes: ["/node-0"],
        services: ["default/kubernetes", "default/web"],
        endpointslices: ["default/web-1"],
      };
      assertEquals(caches(await nodeclient(cluster.kubeconfigs.admin)), expected);

      await using holdfast = await startHoldfast(cluster);
      for (const flags of [[], ["--protobuf"], ["--watch-list=false"]]) {
        const lines = await nodeclient(holdfast.kubeconfig, ...flags);
        assertEquals(caches(lines), expected, flags.join(" "));
        const watchList = lines.some((l) => l.url?.includes("sendInitialEvents=true"));
        assertEquals(watchList, !flags.includes("--watch-list=false"), flags.join(" "));
        assert(lines.some((l) => l.event === "lease-renewed"), flags.join(" "));
        const failed = lines.filter((l) => l.event === "error" || l.event === "watch-error");
        assertEquals(failed, [], flags.join(" "));
        const refused = lines.filter((l) =>
          l.event === "request" && l.status! >= 400 && !l.url!.startsWith("/api/v1/nodes") &&
          !l.url!.includes("/leases/")
        );
        assertEquals(refused, [], flags.join(" "));
      }
    }),
});
