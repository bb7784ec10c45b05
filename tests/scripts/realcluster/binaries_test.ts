/** The real control plane's build plan: versions from go.mod, a gentle build, a keyed cache. */
import { assert, assertEquals } from "../../assert.ts";
import { throws } from "node:assert/strict";
import {
  cacheRoot,
  describeBuild,
  ETCD,
  KUBE_APISERVER,
  planBinary,
  requiredVersion,
} from "../../../scripts/realcluster/binaries.ts";

Deno.test("realcluster: the version comes from go.mod's require lines, single or grouped", () => {
  const grouped = "module x\n\nrequire (\n\tk8s.io/kubernetes v1.37.2\n\tk8s.io/api v0.37.2\n)\n";
  assertEquals(requiredVersion(grouped, "k8s.io/kubernetes"), "v1.37.2");
  assertEquals(
    requiredVersion("require go.etcd.io/etcd/server/v3 v3.7.0\n", ETCD.versionModule),
    "v3.7.0",
  );
  // A replace line's right-hand side is no requirement.
  throws(() => requiredVersion("replace k8s.io/api => k8s.io/api v0.37.2\n", "k8s.io/kubernetes"));
});

Deno.test("realcluster: kube-apiserver is 1.37 with every staging module at the matching v0.37", async () => {
  const plan = await planBinary(KUBE_APISERVER);
  assert(plan.version.startsWith("v1.37."), plan.version);
  const goMod = await Deno.readTextFile(`${plan.cwd}/go.mod`);
  const staging = [...goMod.matchAll(/^\s*(k8s\.io\/\S+) => (k8s\.io\/\S+) (v\S+)$/gm)];
  assert(staging.length >= 30, `only ${staging.length} replace lines`);
  for (const [, from, to, version] of staging) {
    assertEquals(to, from);
    assertEquals(version, plan.version.replace(/^v1\./, "v0."), from);
  }
});

Deno.test("realcluster: builds are niced, one job, and cached by version outside the work tree", async () => {
  const plan = await planBinary(KUBE_APISERVER);
  const command = describeBuild(plan);
  assert(command.includes("GOMAXPROCS=1"), command);
  assert(command.includes("nice -n 19 go build -p 1 "), command);
  assert(command.includes(`-X k8s.io/component-base/version.gitVersion=${plan.version}`), command);
  assert(plan.path.startsWith(`${cacheRoot()}/kube-apiserver-${plan.version}-`), plan.path);
  assert(!plan.path.startsWith(Deno.cwd()), plan.path);
  assertEquals((await planBinary(KUBE_APISERVER, 2)).command("out").slice(4, 7), [
    "build",
    "-p",
    "2",
  ]);
});
