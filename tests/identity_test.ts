/**
 * Offline, cached answers go only to the identity that asked the cloud for them: a spoofed
 * kubelet User-Agent with no credential (from elsewhere than loopback) or with another token gets
 * 401 or 403 as a `Status` in its format, and kubelet with its own credential is served as before.
 */
import { decodeStatus } from "../src/kube/protobuf/status.ts";
import { assertEquals } from "./assert.ts";
import { type Stack, startStack, waitFor } from "./harness.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const KUBELET = "kubelet/v1.33.0 (linux/amd64) kubernetes/abc";
const SECRETS = "/api/v1/namespaces/default/secrets";
const CONFIGMAPS = "/api/v1/namespaces/kube-system/configmaps";
const SERVICES = "/api/v1/namespaces/default/services";
const LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

interface Sent {
  status: number;
  reason?: string;
  items?: number;
  contentType: string | null;
}

async function send(
  stack: Stack,
  path: string,
  options: { userAgent?: string; token?: string; accept?: string } = {},
): Promise<Sent> {
  const headers = new Headers({ "user-agent": options.userAgent ?? KUBELET });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.accept) headers.set("accept", options.accept);
  const response = await fetch(`${stack.proxyUrl}${path}`, { headers });
  const contentType = response.headers.get("content-type");
  const body = new Uint8Array(await response.arrayBuffer());
  if (contentType?.startsWith(PROTOBUF)) {
    if (response.ok) return { status: response.status, contentType };
    return { status: response.status, reason: decodeStatus(body).reason, contentType };
  }
  const json = JSON.parse(new TextDecoder().decode(body));
  return response.ok
    ? { status: response.status, items: json.items?.length, contentType }
    : { status: response.status, reason: json.reason, contentType };
}

async function goOffline(stack: Stack): Promise<void> {
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => {
    const status = await (await fetch(`${stack.adminUrl}/v1/status`)).json();
    return status.mode === "offline";
  });
}

Deno.test("identity: offline, a spoofed kubelet with another token gets 401 or 403; kubelet from loopback is served", async () => {
  await using stack = await startStack({
    sim: { tls: true, token: "pod-token" },
    config: { nodeIdentityComponents: ["kubelet"] },
  });
  // Online, kubelet (loopback, no credential: the node) lists in both formats, and a pod lists
  // the same configmaps with its own token.
  for (const accept of ["application/json", PROTOBUF]) {
    assertEquals((await send(stack, SECRETS, { accept })).status, 200);
  }
  assertEquals((await send(stack, CONFIGMAPS)).status, 200);
  const pod = { userAgent: "pod-app/1", token: "pod-token" };
  assertEquals((await send(stack, CONFIGMAPS, pod)).status, 200);
  assertEquals((await send(stack, SERVICES, pod)).status, 200);
  await stack.agent.shutdown().then(() => stack.restartAgent()); // all of it stored
  await goOffline(stack);

  // kubelet as before, both formats.
  assertEquals((await send(stack, SECRETS)).status, 200);
  assertEquals(await send(stack, SECRETS, { accept: PROTOBUF }), {
    status: 200,
    contentType: PROTOBUF,
  });
  // The pod reads what it cached itself.
  assertEquals((await send(stack, CONFIGMAPS, pod)).status, 200);
  for (const accept of ["application/json", PROTOBUF]) {
    const format = accept === PROTOBUF ? PROTOBUF : "application/json";
    // A token the cloud never accepted: holdfast cannot tell who it is.
    const unknown = await send(stack, SECRETS, { token: "made-up", accept });
    assertEquals([unknown.status, unknown.reason], [401, "Unauthorized"], accept);
    assertEquals(unknown.contentType, format);
    // The pod's (accepted) token behind kubelet's User-Agent: someone else's secrets.
    const spoofed = await send(stack, SECRETS, { token: "pod-token", accept });
    assertEquals([spoofed.status, spoofed.reason], [403, "Forbidden"], accept);
    assertEquals(spoofed.contentType, format);
  }
  // The pod's token asking for kubelet's configmap listing under kubelet's name: its own
  // partition of kubelet holds nothing, the node's does.
  assertEquals((await send(stack, CONFIGMAPS, { token: "pod-token" })).status, 403);
  // The pod's own services under another client's name are not someone else's: not cached for
  // that client, so 503 as ever.
  const elsewhere = await send(stack, SERVICES, {
    userAgent: "other-app/1",
    token: "pod-token",
  });
  assertEquals(elsewhere.status, 503);

  // Offline writes: kubelet's lease written locally is kubelet's alone.
  const lease = JSON.stringify({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: "node-0", namespace: "kube-node-lease" },
    spec: { holderIdentity: "node-0", leaseDurationSeconds: 40 },
  });
  const created = await fetch(`${stack.proxyUrl}${LEASES}`, {
    method: "POST",
    headers: { "user-agent": KUBELET, "content-type": "application/json" },
    body: lease,
  });
  assertEquals(created.status, 201, await created.text());
  assertEquals((await send(stack, `${LEASES}/node-0`)).status, 200);
  assertEquals((await send(stack, `${LEASES}/node-0`, { token: "pod-token" })).status, 404);
  assertEquals((await send(stack, `${LEASES}/node-0`, { token: "made-up" })).status, 401);
});

Deno.test("identity: with anonymousRequests refuse, kubelet's own token is served offline and no one else is", async () => {
  await using stack = await startStack({
    sim: { tls: true, token: "kubelet-token" },
    config: { anonymousRequests: "refuse" },
  });
  const kubelet = { token: "kubelet-token" };
  const online = await send(stack, SECRETS, kubelet);
  assertEquals(online.status, 200);
  assertEquals((await send(stack, SECRETS, { ...kubelet, accept: PROTOBUF })).status, 200);
  await stack.agent.shutdown().then(() => stack.restartAgent());
  await goOffline(stack);
  assertEquals(await send(stack, SECRETS, kubelet), online);
  assertEquals((await send(stack, SECRETS, { ...kubelet, accept: PROTOBUF })).status, 200);
  for (const accept of ["application/json", PROTOBUF]) {
    assertEquals((await send(stack, SECRETS, { accept })).status, 401, accept);
    assertEquals((await send(stack, SECRETS, { token: "other", accept })).status, 401, accept);
  }
});
