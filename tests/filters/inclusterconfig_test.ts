import assert from "node:assert/strict";
import { commentOutKubeconfig, inClusterConfigFilter } from "../../src/filters/inclusterconfig.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import { readStringField } from "../../src/kube/protobuf/repeated.ts";
import { configMap, filterGet, filterList, filterWatch, TYPES } from "./objects.ts";

const filter = responseFilter([{
  filter: inClusterConfigFilter(),
  components: new Set(["kubelet"]),
}]);
const CONFIG = [
  "apiVersion: kubeproxy.config.k8s.io/v1alpha1",
  "clientConnection:",
  "  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf",
  "mode: iptables",
].join("\n");
const COMMENTED = CONFIG.replace("  kubeconfig:", "  #kubeconfig:");
const kubeProxy = configMap("kube-system", "kube-proxy", CONFIG);
const elsewhere = configMap("default", "kube-proxy", CONFIG);
const LIST = { path: "/api/v1/configmaps", component: "kubelet" };

const pbConfig = (message: Uint8Array) => readStringField(findBytes(message, 2)!, 2);
// deno-lint-ignore no-explicit-any
const jsonConfig = (object: any) => object.data["config.conf"];

Deno.test("inclusterconfig: comments out only a `kubeconfig: value` line", () => {
  assert.equal(commentOutKubeconfig(CONFIG), COMMENTED);
  assert.equal(commentOutKubeconfig("mode: iptables\n"), undefined);
  assert.equal(commentOutKubeconfig("kubeconfig: a:b"), undefined);
});

Deno.test("inclusterconfig: lists rewrite kube-system/kube-proxy only", async () => {
  const out = await filterList(filter, LIST, TYPES.configmaps, [kubeProxy, elsewhere]);
  assert.equal(jsonConfig(out.json[0]), COMMENTED);
  assert.equal(pbConfig(out.pb[0]), COMMENTED);
  assert.deepEqual([out.json[1], out.pb[1]], [elsewhere.json, elsewhere.pb]);
});

Deno.test("inclusterconfig: watches and GET", async () => {
  const watch = await filterWatch(
    filter,
    { ...LIST, path: `${LIST.path}?watch=1` },
    TYPES.configmaps,
    [["MODIFIED", kubeProxy]],
  );
  assert.deepEqual(watch.json.map(([type, object]) => [type, jsonConfig(object)]), [
    ["MODIFIED", COMMENTED],
  ]);
  assert.deepEqual(watch.pb.map(([type, object]) => [type, pbConfig(object)]), [
    ["MODIFIED", COMMENTED],
  ]);
  const path = "/api/v1/namespaces/kube-system/configmaps/kube-proxy";
  const get = await filterGet(filter, { path, component: "kubelet" }, TYPES.configmaps, kubeProxy);
  assert.equal(jsonConfig(get.json), COMMENTED);
  assert.equal(pbConfig(get.pb), COMMENTED);
});
