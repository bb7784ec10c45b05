import { X509Certificate } from "node:crypto";
import { assert, assertEquals } from "../../../assert.ts";
import type { BenchContext, RowResult } from "../../../../scripts/bench/lib/measure.ts";
import {
  freeHubPorts,
  HUB_NODE,
  hubArgs,
  makeHubPki,
  measureHub,
  writeHubRoot,
} from "../../../../scripts/bench/lib/yurthub.ts";
import { locateYurthub } from "../../../../scripts/bench/yurthub/build.ts";
import { QUICK } from "../../../../scripts/bench/main.ts";

function context(yurthub: BenchContext["yurthub"]): BenchContext {
  return { quick: true, profile: false, repoRoot: "", runDir: "", sizes: QUICK, yurthub };
}

Deno.test("locateYurthub: without a cached binary and without building, says why", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const found = await locateYurthub({ build: false, cacheDir: dir });
    assert("missing" in found);
    assert(found.missing.startsWith("not built: no cached binary"), found.missing);
    await Deno.writeTextFile(`${dir}/yurthub`, "");
    assertEquals(await locateYurthub({ build: false, cacheDir: dir }), { path: `${dir}/yurthub` });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measureHub: every row gets the reason when there is no binary", async () => {
  const rows: Record<string, RowResult> = {};
  let ran = false;
  await measureHub(
    context({ missing: "not built: test" }),
    (id, result) => rows[id] = result,
    ["a", "b"],
    () => Promise.resolve(void (ran = true)),
  );
  assertEquals(ran, false);
  assertEquals(rows, { a: { yurthub: "not built: test" }, b: { yurthub: "not built: test" } });
});

Deno.test("measureHub: a failure fills only the rows left empty", async () => {
  const rows: Record<string, RowResult> = {};
  await measureHub(
    context({ path: "/bin/true" }),
    (id, result) => rows[id] = result,
    ["a", "b"],
    (_binary, recordHub) => {
      recordHub("a", { value: 1, unit: "ms" });
      throw new Error("the hub exited\nlog tail");
    },
  );
  assertEquals(rows.a.yurthub, { value: 1, unit: "ms" });
  assertEquals(rows.b.yurthub, "failed: the hub exited");
});

Deno.test("makeHubPki + writeHubRoot: certificates match YurtHub's templates, in its layout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pki = await makeHubPki(`${dir}/pki`);
    const client = new X509Certificate(pki.clientCert);
    assertEquals(
      client.subject.split("\n").sort(),
      [`CN=system:node:${HUB_NODE}`, "O=openyurt:yurthub", "O=system:nodes"],
    );
    assert(client.checkIssued(new X509Certificate(pki.caCert)));
    const server = new X509Certificate(pki.serverCert);
    for (const san of ["IP Address:127.0.0.1", "IP Address:169.254.2.1", "IP Address:10.96.0.1"]) {
      assert(server.subjectAltName?.includes(san), `${san} in ${server.subjectAltName}`);
    }
    assert(server.subjectAltName?.includes("DNS:kubernetes.default.svc.cluster.local"));

    const root = `${dir}/root`;
    await writeHubRoot(root, pki, "https://127.0.0.1:6443", "CLUSTER CA");
    assertEquals(await Deno.readTextFile(`${root}/pki/ca.crt`), "CLUSTER CA");
    assertEquals(
      await Deno.readTextFile(`${root}/pki/yurthub-current.pem`),
      pki.clientCert + pki.clientKey,
    );
    assert((await Deno.readTextFile(`${root}/yurthub.conf`)).includes("https://127.0.0.1:6443"));
    assert((await Deno.stat(`${root}/pki/yurthub-server-current.pem`)).isFile);

    const args = hubArgs({
      server: "https://127.0.0.1:6443",
      rootDir: root,
      ports: freeHubPorts(),
    });
    assert(args.includes(`--bootstrap-file=${root}/bootstrap-hub.conf`));
    assert(args.includes("--enable-dummy-if=false"));
    assert(args.includes(`--node-name=${HUB_NODE}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
