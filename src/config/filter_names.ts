/**
 * The response filters a configuration can name (YurtHub's names) and the components each applies
 * to by default. The filters themselves are in `src/filters/`.
 * @module
 */

/** The filters holdfast knows, by YurtHub's names. */
export const FILTER_NAMES = [
  "masterservice",
  "servicetopology",
  "discardcloudservice",
  "inclusterconfig",
  "nodeportisolation",
] as const;

/** A filter's name. */
export type FilterName = typeof FILTER_NAMES[number];

/** The components each filter applies to by default, as YurtHub's. */
export const DEFAULT_FILTER_COMPONENTS: Readonly<Record<FilterName, readonly string[]>> = {
  masterservice: ["kubelet"],
  servicetopology: ["kube-proxy", "coredns", "nginx-ingress-controller"],
  discardcloudservice: ["kube-proxy"],
  inclusterconfig: ["kubelet"],
  nodeportisolation: ["kube-proxy"],
};
