/**
 * The kube-apiserver simulator, a test instrument for holdfast: start one with
 * {@link startSimulator} and use it as the upstream; drive it with the returned handle.
 *
 * @example
 * ```ts
 * import { startSimulator } from "./mod.ts";
 * await using sim = await startSimulator({ scale: { pods: 100, nodes: 5 } });
 * const pods = await (await fetch(`${sim.url}/api/v1/pods?limit=10`)).json();
 * sim.objects.patch("pods", pods.items[0].metadata.name, { metadata: { labels: { x: "y" } } }, {
 *   namespace: pods.items[0].metadata.namespace,
 * });
 * ```
 * @module
 */
export {
  type FaultHandle,
  type KubeconfigOptions,
  type ObjectHandle,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "./simulator.ts";
export type { Churn, ChurnOptions } from "./churn.ts";
export { CHURN_ANNOTATION } from "./churn.ts";
export type { ActiveFault, FaultMatch, FaultRule } from "./faults.ts";
export type { Json } from "./fixtures.ts";
export type { Pki } from "./pki.ts";
export type { RequestCount, RequestFilter, RequestLog, RequestRecord } from "./requests.ts";
export type { Scale } from "./seed.ts";
export { StatusError } from "./writes.ts";
