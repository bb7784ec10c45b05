/**
 * The conditions the suite waits for, each bounded by a deadline (a bound, never a measurement
 * that passes or fails by luck): holdfast's mode, informers re-watching, caches equal to the
 * apiserver or to what they held before, leases renewed, events delivered once.
 * @module
 */
import { type Admin, informerQueries } from "./apiserver.ts";
import type { Holdfast } from "./holdfast.ts";
import { type Nodeclient, VARIANTS } from "./nodeclient.ts";
import { isWatch, sameState } from "./outcomes.ts";

/** What each informer holds: sorted `namespace/name@resourceVersion` by informer name. */
export type State = Record<string, string[]>;

/**
 * Calls `attempt` every `everyMs` until it returns undefined (done); returns the seconds it took.
 * After `ms`, fails with `what` and the last thing `attempt` returned.
 */
export async function poll(
  what: string,
  ms: number,
  attempt: () => Promise<string | undefined>,
  everyMs = 250,
): Promise<number> {
  const started = performance.now();
  while (true) {
    const problem = await attempt();
    const seconds = (performance.now() - started) / 1000;
    if (problem === undefined) return seconds;
    if (seconds * 1000 > ms) throw new Error(`${what} not within ${ms / 1000} s: ${problem}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Until holdfast reports `mode`; the seconds it took. */
export function untilMode(holdfast: Holdfast, mode: string, ms: number): Promise<number> {
  return poll(`holdfast ${mode}`, ms, async () => {
    const status = await holdfast.status().catch((error) => ({ mode: String(error) }));
    return status.mode === mode ? undefined : `mode ${status.mode}`;
  }, 100);
}

/** What the apiserver holds for each informer of `node`. */
async function expectedState(admin: Admin, node: string): Promise<State> {
  const queries = Object.entries(informerQueries(node));
  const lists = await Promise.all(queries.map(([, path]) => admin.keys(path)));
  return Object.fromEntries(queries.map(([name], i) => [name, lists[i]]));
}

/** Until every client's caches equal the apiserver's; the seconds it took. */
export function untilConverged(admin: Admin, clients: Nodeclient[], ms: number): Promise<number> {
  return poll("informers equal to the apiserver", ms, async () => {
    const mismatches: string[] = [];
    for (const client of clients) {
      const held = await client.caches();
      const diff = sameState(held, await expectedState(admin, client.variant.node));
      if (diff) mismatches.push(`${client.variant.name}: ${diff}`);
    }
    return mismatches.length ? mismatches.join("; ") : undefined;
  }, 500);
}

/** Until every informer of every client has had a watch answered 200 after `since`. */
export async function untilRewatched(
  clients: Nodeclient[],
  since: number,
  ms: number,
): Promise<void> {
  const resources = Object.values(informerQueries("x")).map((path) => path.split("?")[0]);
  await Promise.all(clients.flatMap((client) =>
    resources.map((resource) =>
      client.waitFor(
        (line) =>
          line.at > since && line.event === "request" && line.status === 200 &&
          line.url!.split("?")[0] === resource && isWatch(line.url!),
        ms,
        0,
        `successful watch of ${resource}`,
      )
    )
  ));
}

/** Until every client has renewed its lease after `since`. */
export async function untilLeaseRenewed(
  clients: Nodeclient[],
  since: number,
  ms: number,
): Promise<void> {
  await Promise.all(clients.map((client) =>
    client.waitFor(
      (line) => line.at > since && line.event === "lease-renewed",
      ms,
      0,
      "lease renewal",
    )
  ));
}

/** Until every node's lease at the apiserver has a renewTime after `since`. */
export function untilLeaseRenewedUpstream(admin: Admin, since: Date, ms: number): Promise<number> {
  const path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
  return poll("leases renewed at the apiserver", ms, async () => {
    const leases = (await admin.json("GET", path)).items as {
      metadata: { name: string };
      spec: { renewTime?: string };
    }[];
    const stale = VARIANTS.filter(({ node }) => {
      const lease = leases.find((l) => l.metadata.name === node);
      return !lease?.spec.renewTime || new Date(lease.spec.renewTime) <= since;
    });
    return stale.length ? `not renewed: ${stale.map((v) => v.node).join(", ")}` : undefined;
  });
}

/** Until holdfast's event queue is empty. */
export function untilEventsSent(holdfast: Holdfast, ms: number): Promise<number> {
  return poll("queued events sent", ms, async () => {
    const queued = (await holdfast.status()).events?.queued ?? 0;
    return queued ? `${queued} queued` : undefined;
  });
}

/** Until holdfast holds queued events; how many. */
export async function untilEventsQueued(holdfast: Holdfast, ms: number): Promise<number> {
  let queued = 0;
  await poll("events queued", ms, async () => {
    queued = (await holdfast.status()).events?.queued ?? 0;
    return queued ? undefined : "none";
  });
  return queued;
}

/** Each client's caches equal `before` (nodes by name: their status may be patched locally). */
export async function stateKept(
  clients: Nodeclient[],
  before: Map<Nodeclient, State>,
): Promise<string> {
  const problems: string[] = [];
  for (const client of clients) {
    const diff = sameState(await client.caches(), before.get(client)!, ["nodes"]);
    if (diff) problems.push(`${client.variant.name}: ${diff}`);
  }
  if (problems.length) throw new Error(problems.join("; "));
  const counts = Object.entries(before.get(clients[0])!).map(([k, v]) => `${k} ${v.length}`);
  return `${clients.length} clients × 4 informers unchanged (first: ${counts.join(", ")})`;
}

/**
 * Every event a client was told was created (201) is at the apiserver exactly once, and one that
 * failed at most once; at least one was accepted after `offlineSince`. Returns a summary.
 */
export async function eventsDeliveredOnce(
  admin: Admin,
  clients: Nodeclient[],
  offlineSince: number,
): Promise<string> {
  const list = await admin.json("GET", "/api/v1/namespaces/default/events");
  const counts = new Map<string, number>();
  for (const item of list.items as { message: string }[]) {
    counts.set(item.message, (counts.get(item.message) ?? 0) + 1);
  }
  const problems: string[] = [];
  let posted = 0;
  let postedOffline = 0;
  let failed = 0;
  for (const line of clients.flatMap((client) => client.lines)) {
    const found = counts.get(line.message ?? "") ?? 0;
    if (line.event === "event-posted") {
      posted++;
      if (line.at > offlineSince) postedOffline++;
      if (found !== 1) problems.push(`"${line.message}" accepted, found ${found} times`);
    } else if (line.event === "error" && line.what === "event create" && line.message) {
      failed++;
      if (found > 1) problems.push(`"${line.message}" refused, yet found ${found} times`);
    }
  }
  if (postedOffline === 0) problems.push("no event was accepted while offline");
  if (problems.length) throw new Error(problems.join("; "));
  return `${posted} events accepted (${postedOffline} while or after offline) each found once; ` +
    `${failed} refused, none duplicated`;
}
