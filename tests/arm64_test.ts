/**
 * holdfast on arm64: the bundle (`deno task bundle`) run by Deno's own arm64 build under
 * qemu-user, in front of the simulator. It proxies, caches, goes offline when the link is cut and
 * answers from its cache, then stops cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../scripts/apiserver-sim/mod.ts";
import { arm64DenoPath } from "../scripts/build/arm64_runtime.ts";
import { bundleAgent, GATEWAY_RUN_ARGS } from "../scripts/build/bundle.ts";

const QEMU = "/usr/bin/qemu-aarch64-static";
const SYSROOT = "/usr/aarch64-linux-gnu";

async function missing(): Promise<string | undefined> {
  const needs: [string, string][] = [
    [QEMU, "Debian's qemu-user-static"],
    [`${SYSROOT}/lib/ld-linux-aarch64.so.1`, "Debian's libc6-arm64-cross"],
    [arm64DenoPath(), "`deno run -A scripts/build/arm64_runtime.ts`"],
  ];
  for (const [path, from] of needs) {
    try {
      await Deno.stat(path);
    } catch {
      return `${path} is missing (install it with ${from})`;
    }
  }
}

const why = await missing();
if (why) console.warn(`skipping the arm64 test: ${why}`);

async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test({
  name: "arm64: the bundled agent under qemu proxies, caches, and answers offline",
  ignore: why !== undefined,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "holdfast-arm64-" });
    await using sim = await startSimulator({ tls: true, scale: { pods: 20, nodes: 2 } });
    const pki = sim.tls!;
    for (
      const [name, pem] of Object.entries({
        ca: pki.caCert,
        cert: pki.clientCert,
        key: pki.clientKey,
      })
    ) {
      await Deno.writeTextFile(`${dir}/${name}.pem`, pem);
    }
    const bundle = `${dir}/holdfast.js`;
    await bundleAgent(bundle);

    const proxyPort = 20000 + Math.floor(Math.random() * 20000);
    const adminPort = proxyPort + 1;
    const child = new Deno.Command(QEMU, {
      args: [
        "-L",
        SYSROOT,
        arm64DenoPath(),
        ...GATEWAY_RUN_ARGS,
        bundle,
        "run",
        "--server",
        sim.url,
        "--upstream-ca",
        `${dir}/ca.pem`,
        "--upstream-cert",
        `${dir}/cert.pem`,
        "--upstream-key",
        `${dir}/key.pem`,
        "--listen",
        `127.0.0.1:${proxyPort}`,
        "--admin-listen",
        `127.0.0.1:${adminPort}`,
        "--cache-path",
        `${dir}/cache.kv`,
        // Emulated TLS handshakes are slow: checks get time, and three must fail in a row.
        "--health-interval",
        "3s",
        "--health-timeout",
        "2500ms",
        "--unhealthy-threshold",
        "3",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log = new Response(child.stderr).text();
    const proxy = `http://127.0.0.1:${proxyPort}`;
    const admin = `http://127.0.0.1:${adminPort}`;
    const pods = async () => {
      const response = await fetch(`${proxy}/api/v1/pods`, {
        headers: { "user-agent": "kubelet/v1.37.0 (linux/arm64)" },
      });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()).items.map((p: { metadata: { name: string } }) =>
        p.metadata.name
      );
    };
    const mode = async () => (await (await fetch(`${admin}/v1/status`)).json()).mode;
    try {
      await waitFor(
        "the agent under qemu to answer",
        async () => (await mode()) === "online",
        120_000,
      );
      const arch = await (await fetch(`${admin}/metrics`)).text();
      assert.match(arch, /holdfast_build_info/);
      let online: string[] = [];
      await waitFor(
        "a list through the agent",
        async () => (online = await pods()).length === 20,
        60_000,
      );
      await waitFor("the list in the cache", async () => {
        const status = await (await fetch(`${admin}/v1/status`)).json();
        return status.cache.some((c: { resource: string; objects: number }) =>
          c.resource === "pods" && c.objects === 20
        );
      }, 60_000);

      await sim.faults.linkDown();
      await waitFor("offline mode", async () => (await mode()) === "offline", 60_000);
      assert.deepEqual((await pods()).sort(), online.sort());
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      const text = await log;
      assert.equal(status.code, 0, text);
      assert.match(text, /shutting down signal=SIGTERM/);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
