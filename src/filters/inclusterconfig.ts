/**
 * `inclusterconfig`: in kubelet's view of the `kube-system/kube-proxy` ConfigMap, the
 * `kubeconfig:` line of `config.conf` is commented out, so kube-proxy falls back to in-cluster
 * config — the `default/kubernetes` Service, which `masterservice` points at holdfast.
 * @module
 */
import { editConfigMapData } from "../kube/protobuf/config_map.ts";
import { readObjectMeta } from "../kube/protobuf/object_meta.ts";
import { isNamed, objectAt, type ObjectFilter, stringAt } from "./filter.ts";
import { nameNeedles } from "./needles.ts";

const NAMESPACE = "kube-system";
const NAME = "kube-proxy";
const DATA_KEY = "config.conf";

/**
 * `config` with its `kubeconfig: …` line(s) commented out (`#kubeconfig: …`), or undefined when
 * it has none. A line counts when, trimmed of spaces, it splits on `:` into `kubeconfig` and one
 * value, as YurtHub decides.
 */
export function commentOutKubeconfig(config: string): string | undefined {
  let changed = false;
  const lines = config.split("\n").map((line) => {
    const parts = line.replace(/^ +| +$/g, "").split(":");
    if (parts.length !== 2 || parts[0] !== "kubeconfig") return line;
    changed = true;
    return line.replace("kubeconfig", "#kubeconfig");
  });
  return changed ? lines.join("\n") : undefined;
}

/** Creates the `inclusterconfig` filter. */
export function inClusterConfigFilter(): ObjectFilter {
  return {
    name: "inclusterconfig",
    verbs: { configmaps: ["get", "list", "watch"] },
    needles: nameNeedles(NAME),
    json(configMap) {
      if (!isNamed(configMap, NAMESPACE, NAME)) return Promise.resolve(undefined);
      const data = objectAt(configMap, "data");
      const config = commentOutKubeconfig(stringAt(data, DATA_KEY));
      if (config === undefined) return Promise.resolve(undefined);
      data[DATA_KEY] = config;
      return Promise.resolve(configMap);
    },
    protobuf(configMap) {
      const meta = readObjectMeta(configMap);
      if (meta.namespace !== NAMESPACE || meta.name !== NAME) return Promise.resolve(undefined);
      return Promise.resolve(editConfigMapData(configMap, DATA_KEY, commentOutKubeconfig));
    },
  };
}
