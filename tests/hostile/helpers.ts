/**
 * Shared pieces of the hostile-input suite: taking a stack offline, reading the agent's status,
 * checking a `Status` answer, and the well-behaved client every case runs beside the hostile one.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { type Stack, waitFor } from "../harness.ts";
import { agentArgs, agentUrls, spawnAgent } from "../cli/agent_process.ts";

/** Headers of a request as kubelet sends it. */
export const KUBELET = { "user-agent": "kubelet/v1.31.0 (linux/amd64) kubernetes/abc" };

/** The list the well-behaved client reads. */
export const CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

/** The agent's `/v1/status`. */
export async function agentStatus(adminUrl: string) {
  return await (await fetch(`${adminUrl}/v1/status`)).json();
}

/** Cuts the simulator's link and waits until the agent answers offline. */
export async function goOffline(stack: Stack): Promise<void> {
  await stack.sim.faults.linkDown();
  await waitFor(
    "the agent offline",
    async () => (await agentStatus(stack.adminUrl)).mode === "offline",
  );
}

/**
 * Waits until `component` has a complete cached query of `resource` (plural, no group), in
 * `namespace` when given.
 */
export async function waitCached(
  stack: Stack,
  component: string,
  resource: string,
  namespace?: string,
) {
  await waitFor(`${component}'s ${resource} cached`, async () => {
    const ls = await (await fetch(`${stack.adminUrl}/v1/cache/ls`)).json();
    return ls.queries.some((q: CachedQuery) =>
      q.component === component && q.resource.split(".")[0] === resource && q.complete &&
      (namespace === undefined || q.namespace === namespace)
    );
  });
}

interface CachedQuery {
  component: string;
  resource: string;
  namespace: string;
  complete: boolean;
}

/** Asserts `response` is a JSON `Status` with HTTP `code` and `reason`; returns its message. */
export async function assertStatus(
  response: Response,
  code: number,
  reason: string,
  what: string,
): Promise<string> {
  const text = await response.text();
  assertEquals(response.status, code, `${what}: ${text.slice(0, 300)}`);
  const status = JSON.parse(text);
  assertEquals(
    { kind: status.kind, code: status.code, reason: status.reason },
    { kind: "Status", code, reason },
    what,
  );
  return status.message;
}

/**
 * The well-behaved client: kubelet lists the default namespace's config maps and gets them all
 * (`expected` names, when given), online from the cloud or offline from the cache.
 */
export async function assertServed(proxyUrl: string, expected?: string[]): Promise<void> {
  const response = await fetch(`${proxyUrl}${CONFIGMAPS}`, { headers: KUBELET });
  const text = await response.text();
  assertEquals(response.status, 200, `the well-behaved client: ${text.slice(0, 300)}`);
  const names = JSON.parse(text).items.map((i: { metadata: { name: string } }) => i.metadata.name);
  if (expected) assertEquals(names, expected);
  else assert(names.length > 0, "the well-behaved client got no items");
}

/** A seeded pick from `choices`. */
export function pick<T>(next: () => number, choices: readonly T[]): T {
  return choices[Math.floor(next() * choices.length)];
}

/**
 * Runs `hostile` while the well-behaved client reads its list over and over beside it; every one
 * of its reads must succeed (`expected` names, when given), and one more after `hostile`.
 */
export async function whileServing(
  proxyUrl: string,
  hostile: () => Promise<void>,
  expected?: string[],
): Promise<void> {
  let done = false;
  const serving = (async () => {
    while (!done) {
      await assertServed(proxyUrl, expected);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  serving.catch(() => {}); // awaited below, once hostile is done
  try {
    await hostile();
  } finally {
    done = true;
  }
  await serving;
  await assertServed(proxyUrl, expected);
}

/** The resident memory of process `pid`, in MiB (from `/proc/<pid>/status`). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

/**
 * `holdfast run` as a subprocess in front of `server`, with a cache in a temp folder, started and
 * serving the well-behaved client; killed and its folder removed on dispose.
 */
export async function startAgentProcess(server: string) {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-hostile-agent-" });
  const agent = spawnAgent(agentArgs(server, `${dir}/cache.kv`));
  const cleanUp = async () => {
    await agent[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  };
  try {
    const { proxy } = agentUrls(await agent.waitFor("holdfast started"));
    await assertServed(proxy);
    return { proxy, pid: agent.child.pid, [Symbol.asyncDispose]: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
