/**
 * `deno task conformance` as a test: client-go → holdfast → a real kube-apiserver, online, through
 * link cuts, a silent link and a restart of holdfast while offline, and back. Needs etcd and
 * kube-apiserver already built in the cache (`deno task realcluster --build-only`, which `.ci/run`
 * runs first, with nodeclient); skips, naming them, when they are not.
 */
import { assert } from "../../assert.ts";
import { cachedBinaries } from "../../../scripts/realcluster/binaries.ts";
import { formatTable } from "../../../scripts/conformance/checks.ts";
import { runConformance } from "../../../scripts/conformance/suite.ts";

const { missing } = await cachedBinaries();
if (missing.length) {
  console.log(
    `skipping the conformance suite: not built yet: ${missing.join(", ")}; ` +
      "`deno task realcluster --build-only` builds them (tens of minutes on one core)",
  );
}

Deno.test({
  name: "conformance: client-go through holdfast to a real kube-apiserver, across outages",
  ignore: missing.length > 0,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const result = await runConformance();
    console.log(formatTable(result.checks));
    assert(result.ok, `a check failed; logs and holdfast's cache kept in ${result.workDir}`);
  },
});
