import assert from "node:assert/strict";
import { commentOutKubeconfig, inClusterConfigFilter } from "../../src/filters/inclusterconfig.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { decodeEnvelope } from "../../src/kube/protobuf/envelope.ts";
import { readStringField } from "../../src/kube/protobuf/repeated.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import {
  configMap,
  JSON_TYPE,
  jsonList,
  jsonObject,
  jsonWatch,
  jsonWatchEvents,
  parse,
  PB_TYPE,
  PB_WATCH_TYPE,
  pbList,
  pbListItems,
  pbObject,
  pbWatch,
  pbWatchEvents,
  run,
  TYPES,
} from "./objects.ts";

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
const LIST = "/api/v1/configmaps";

const pbConfig = (message: Uint8Array) => readStringField(findBytes(message, 2)!, 2);

Deno.test("inclusterconfig: comments out only a `kubeconfig: value` line", () => {
  assert.equal(commentOutKubeconfig(CONFIG), COMMENTED);
  assert.equal(commentOutKubeconfig("mode: iptables\n"), undefined);
  assert.equal(commentOutKubeconfig("kubeconfig: a:b"), undefined);
});

Deno.test("inclusterconfig: list, watch and GET in JSON", async () => {
  const call = { path: LIST, component: "kubelet", contentType: JSON_TYPE };
  const list = parse(
    (await run(filter, call, jsonList(TYPES.configmaps, [kubeProxy.json, elsewhere.json]))).body,
  );
  // deno-lint-ignore no-explicit-any
  const items = list.items as any[];
  assert.equal(items[0].data["config.conf"], COMMENTED);
  assert.deepEqual(items[1], elsewhere.json);

  const watch = await run(
    filter,
    { ...call, path: `${LIST}?watch=1` },
    jsonWatch([["MODIFIED", kubeProxy.json]]),
  );
  // deno-lint-ignore no-explicit-any
  assert.equal((jsonWatchEvents(watch.body)[0][1] as any).data["config.conf"], COMMENTED);

  const get = await run(
    filter,
    { ...call, path: "/api/v1/namespaces/kube-system/configmaps/kube-proxy" },
    jsonObject(kubeProxy.json),
  );
  // deno-lint-ignore no-explicit-any
  assert.equal((parse(get.body) as any).data["config.conf"], COMMENTED);
});

Deno.test("inclusterconfig: list, watch and GET in protobuf", async () => {
  const list = await run(
    filter,
    { path: LIST, component: "kubelet", contentType: PB_TYPE },
    pbList(TYPES.configmaps, [kubeProxy.pb, elsewhere.pb]),
  );
  const items = pbListItems(list.body);
  assert.equal(pbConfig(items[0]), COMMENTED);
  assert.deepEqual(items[1], elsewhere.pb);

  const watch = await run(
    filter,
    { path: `${LIST}?watch=1`, component: "kubelet", contentType: PB_WATCH_TYPE },
    pbWatch(TYPES.configmaps, [["ADDED", kubeProxy.pb]]),
  );
  const [[type, object]] = pbWatchEvents(watch.body);
  assert.equal(type, "ADDED");
  assert.equal(pbConfig(object), COMMENTED);

  const get = await run(
    filter,
    {
      path: "/api/v1/namespaces/kube-system/configmaps/kube-proxy",
      component: "kubelet",
      contentType: PB_TYPE,
    },
    pbObject(TYPES.configmaps, kubeProxy.pb),
  );
  assert.equal(pbConfig(decodeEnvelope(get.body).raw), COMMENTED);
});
