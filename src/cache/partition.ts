/**
 * Cache partitions: the component names the cache keeps answers under. A component's requests
 * sent as the node are kept under the component itself; another identity's (a client's own token
 * or certificate, see `proxy/caller.ts`) under `<component>/<identity>` — a component never holds
 * a `/` — so a component owns its own partition and every one of its identities'. Pure: no I/O.
 * @module
 */

/** The identity of requests that act as the node, kept in the component's own partition. */
export const NODE_IDENTITY = "node";

/** The cache partition of `component`'s answers for `identity`. */
export function cachePartition(component: string, identity: string): string {
  return identity === NODE_IDENTITY ? component : `${component}/${identity}`;
}

/** The component a cache partition belongs to. */
export function partitionComponent(partition: string): string {
  const slash = partition.indexOf("/");
  return slash === -1 ? partition : partition.slice(0, slash);
}
