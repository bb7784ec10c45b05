/**
 * A component's JSON and protobuf copies of one query are kept apart: kubelet lists its pods in
 * protobuf and something else with the same User-Agent lists them in JSON (or the other way
 * round), and offline each format is answered from its own copy — the later listing does not
 * replace the earlier one (which made offline JSON a 406, as protobuf cannot become JSON).
 */
import { assert, assertEquals } from "./assert.ts";
import { PATIENT_HEALTH, type Stack, startStack, waitFor } from "./harness.ts";
import { decodeList } from "../src/kube/protobuf/mod.ts";
import type { QueryView } from "../src/cache/inspect.ts";

const UA = "kubelet/v1.30.0 (linux/amd64) kubernetes/abc";
const PROTOBUF = "application/vnd.kubernetes.protobuf";
const JSON_TYPE = "application/json";
const PODS = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";

/** Pod names of a LIST in `mediaType` (asserting the answer is in that format). */
async function listNames(stack: Stack, mediaType: string): Promise<string[]> {
  const response = await fetch(`${stack.proxyUrl}${PODS}`, {
    headers: { "user-agent": UA, accept: mediaType },
  });
  assertEquals([response.status, response.headers.get("content-type")], [200, mediaType]);
  if (mediaType === JSON_TYPE) {
    const body = await response.json();
    return body.items.map((item: { metadata: { name: string } }) => item.metadata.name).sort();
  }
  const parts = decodeList(new Uint8Array(await response.arrayBuffer()));
  return parts.flatMap((part) => part.type === "item" ? [part.object.meta.name] : []).sort();
}

function cached(stack: Stack, mediaType: string) {
  return waitFor(`the ${mediaType} copy`, async () => {
    const ls = await (await fetch(`${stack.adminUrl}/v1/cache/ls`)).json();
    return ls.queries.some((q: QueryView) =>
      q.component === "kubelet" && q.fieldSelector === "spec.nodeName=node-0" && q.complete &&
      !q.stale && q.mediaType === mediaType
    );
  });
}

for (const order of [[PROTOBUF, JSON_TYPE], [JSON_TYPE, PROTOBUF]]) {
  Deno.test(`format copies: listed in ${order.join(", then ")}, both formats answer offline`, async () => {
    await using stack = await startStack({ config: { health: PATIENT_HEALTH } });
    const online = new Map<string, string[]>();
    for (const mediaType of order) {
      online.set(mediaType, await listNames(stack, mediaType));
      await cached(stack, mediaType);
    }
    assert(online.get(JSON_TYPE)!.length > 1);
    assertEquals(online.get(PROTOBUF), online.get(JSON_TYPE));

    await stack.sim.faults.linkDown();
    await waitFor("offline mode", async () => {
      return (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode === "offline";
    });
    for (const mediaType of order) {
      assertEquals(await listNames(stack, mediaType), online.get(mediaType));
    }
    // A single object: the copy in the client's format is chosen.
    const listed = await fetch(`${stack.proxyUrl}${PODS}`, {
      headers: { "user-agent": UA, accept: JSON_TYPE },
    });
    const { name, namespace } = (await listed.json()).items[0].metadata;
    for (const mediaType of order) {
      const response = await fetch(
        `${stack.proxyUrl}/api/v1/namespaces/${namespace}/pods/${name}`,
        { headers: { "user-agent": UA, accept: mediaType } },
      );
      const text = await response.text();
      assertEquals([response.status, response.headers.get("content-type")], [200, mediaType], text);
    }
  });
}
