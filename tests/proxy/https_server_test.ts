/**
 * The HTTPS listener for in-cluster clients, end to end in front of the simulator: a pod-style
 * `@kubernetes/client-node` client (server URL, CA file, token) lists through it and is refused
 * without a token; watches stream and end upstream when the client leaves; client certificates
 * are checked against the configured CA and act as the node only when mapped to it.
 */
import * as k8s from "@kubernetes/client-node";
import { X509Certificate } from "node:crypto";
import { issue, makeCa } from "../../scripts/apiserver-sim/pki.ts";
import { decodeStatus } from "../../src/kube/protobuf/status.ts";
import { assert, assertEquals } from "../assert.ts";
import { type Stack, startStack, waitFor } from "../harness.ts";

const ANY_PORT = { hostname: "127.0.0.1", port: 0 };
const CLIENT_EXT = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
  "extendedKeyUsage=clientAuth\n";
const NODE_SUBJECT = "/O=system:nodes/CN=system:node:node-0";

function httpsUrl(stack: Stack): string {
  return `https://127.0.0.1:${stack.agent.httpsAddress!.port}`;
}

/** Sends `text` over TLS to the HTTPS listener as is; the whole answer. */
async function rawTls(stack: Stack, servingCert: string, text: string): Promise<string> {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: stack.agent.httpsAddress!.port,
    caCerts: [servingCert],
  });
  await conn.write(new TextEncoder().encode(text));
  let answer = "";
  for await (const chunk of conn.readable) answer += new TextDecoder().decode(chunk);
  return answer;
}

/** A kubeconfig as a pod's in-cluster config makes it: server, CA, the service account token. */
function podConfig(stack: Stack, servingCert: string, token?: string): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  config.loadFromClusterAndUser(
    {
      name: "in-cluster",
      server: httpsUrl(stack),
      caData: btoa(servingCert),
      skipTLSVerify: false,
    },
    { name: "pod", ...(token ? { token } : {}) },
  );
  return config;
}

Deno.test("https: a pod-style client lists with its token, is refused without one, and watches stream", async () => {
  await using stack = await startStack({
    sim: { tls: true, token: "pod-token" },
    config: { https: { listen: ANY_PORT } },
  });
  const servingCert = await Deno.readTextFile(`${stack.dir}/https-serving.crt`);
  assertEquals((await Deno.stat(`${stack.dir}/https-serving.key`)).mode! & 0o777, 0o600);

  const api = podConfig(stack, servingCert, "pod-token").makeApiClient(k8s.CoreV1Api);
  const pods = await api.listNamespacedPod({ namespace: "kube-system" });
  const expected = stack.sim.objects.list("pods").filter((p) =>
    (p.metadata as { namespace?: string }).namespace === "kube-system"
  );
  assertEquals(pods.items.length, expected.length);
  const seen = stack.sim.requests.recent({ path: "/api/v1/namespaces/kube-system/pods" });
  assertEquals(seen.map((r) => r.identity), ["token"]); // the pod's own token, not the node

  const anonymous = podConfig(stack, servingCert).makeApiClient(k8s.CoreV1Api);
  const refused = await anonymous.listNamespacedPod({ namespace: "kube-system" }).then(
    () => undefined,
    (error: k8s.ApiException<string>) => error,
  );
  assertEquals(refused?.code, 401); // client-node keeps no error body: the Status, seen by fetch
  using client = Deno.createHttpClient({ caCerts: [servingCert] });
  const bare = await fetch(`${httpsUrl(stack)}/api/v1/namespaces/kube-system/pods`, { client });
  assertEquals([bare.status, (await bare.json()).reason], [401, "Unauthorized"]);

  // A request body streams through the bridge.
  const created = await fetch(`${httpsUrl(stack)}/api/v1/namespaces/default/configmaps`, {
    client,
    method: "POST",
    headers: { authorization: "Bearer pod-token", "content-type": "application/json" },
    body: JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "from-a-pod", namespace: "default" },
      data: { size: "x".repeat(200_000) },
    }),
  });
  assertEquals(created.status, 201, await created.text());
  const stored = stack.sim.objects.list("configmaps").find((c) =>
    (c.metadata as { name: string }).name === "from-a-pod"
  );
  assertEquals((stored?.data as { size: string }).size.length, 200_000);

  // The target is checked as received, before any URL parser normalizes it.
  const raw = await rawTls(
    stack,
    servingCert,
    "GET /api/v1/namespaces/default/%2e%2e/secrets HTTP/1.1\r\nHost: h\r\n" +
      "Authorization: Bearer pod-token\r\nConnection: close\r\n\r\n",
  );
  assert(raw.startsWith("HTTP/1.1 400"), raw);
  assert(raw.includes('"reason":"BadRequest"'), raw);

  // A watch streams through the bridge, and ends upstream when the client goes away.
  const watching = stack.sim.watchCount;
  const watch = await fetch(`${httpsUrl(stack)}/api/v1/namespaces/default/pods?watch=true`, {
    client,
    headers: { authorization: "Bearer pod-token", "user-agent": "pod-app/1" },
  });
  assertEquals(watch.status, 200);
  const reader = watch.body!.getReader();
  await waitFor("the upstream watch", () => stack.sim.watchCount > watching);
  stack.sim.objects.create("pods", {
    metadata: { name: "watched", namespace: "default" },
    spec: { nodeName: "node-0", containers: [{ name: "c", image: "busybox" }] },
  });
  let text = "";
  while (!text.includes('"watched"')) {
    const { value, done } = await reader.read();
    assert(!done, "the watch ended before the event");
    text += new TextDecoder().decode(value);
  }
  assert(text.startsWith('{"type":"ADDED"'));
  await reader.cancel();
  await waitFor("the upstream watch to end", () => stack.sim.watchCount === watching);

  // Offline, the pod reads what it cached through this listener; a token never seen gets 401.
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => {
    const status = await (await fetch(`${stack.adminUrl}/v1/status`)).json();
    return status.mode === "offline";
  });
  const offline = await api.listNamespacedPod({ namespace: "kube-system" });
  assertEquals(offline.items.map((p) => p.metadata?.name), pods.items.map((p) => p.metadata?.name));
  const stranger = podConfig(stack, servingCert, "never-seen").makeApiClient(k8s.CoreV1Api);
  const unknown = await stranger.listNamespacedPod({ namespace: "kube-system" }).then(
    () => undefined,
    (error: k8s.ApiException<string>) => error,
  );
  assertEquals(unknown?.code, 401);
});

Deno.test("https: client certificates are checked against the CA and act as the node only when mapped", async () => {
  const pki = await Deno.makeTempDir({ prefix: "holdfast-https-pki-" });
  const [other, stranger] = [`${pki}/other`, `${pki}/stranger`];
  for (const dir of [other, stranger]) await Deno.mkdir(dir);
  await makeCa(pki, "node-ca");
  await makeCa(other, "other-ca");
  await makeCa(stranger, "stranger-ca");
  await issue(pki, "node", NODE_SUBJECT, CLIENT_EXT);
  await issue(pki, "app", "/O=apps/CN=app", CLIENT_EXT);
  await issue(other, "twin", NODE_SUBJECT, CLIENT_EXT);
  await issue(stranger, "forged", NODE_SUBJECT, CLIENT_EXT);
  const read = (file: string) => Deno.readTextFileSync(file);
  const nodeCa = new X509Certificate(read(`${pki}/ca.crt`)).fingerprint256;
  await using stack = await startStack({
    sim: { tls: true },
    config: {
      // Both CAs are trusted; only the node CA's certificate with the node's subject is the node.
      https: { listen: ANY_PORT, clientCA: read(`${pki}/ca.crt`) + read(`${other}/ca.crt`) },
      identityAliases: { [`cert:${NODE_SUBJECT} issuer=${nodeCa}`]: "node" },
    },
  });
  const servingCert = read(`${stack.dir}/https-serving.crt`);
  const path = "/api/v1/namespaces/default/configmaps";
  const send = async (name?: string, dir = pki, accept = "application/json") => {
    using client = Deno.createHttpClient({
      caCerts: [servingCert],
      ...(name ? { cert: read(`${dir}/${name}.crt`), key: read(`${dir}/${name}.key`) } : {}),
    });
    const response = await fetch(`${httpsUrl(stack)}${path}`, {
      client,
      headers: { "user-agent": `kubelet/${name ?? "none"}`, accept },
    });
    const body = new Uint8Array(await response.arrayBuffer());
    const reason = response.ok
      ? undefined
      : accept === "application/json"
      ? JSON.parse(new TextDecoder().decode(body)).reason
      : decodeStatus(body).reason;
    const seen = stack.sim.requests.recent({ userAgent: `kubelet/${name ?? "none"}`, path });
    return { status: response.status, reason, upstream: seen.map((r) => r.identity) };
  };
  // Mapped to the node: sent upstream as the node.
  assertEquals(await send("node"), {
    status: 200,
    reason: undefined,
    upstream: ["cert:system:node:node-0"],
  });
  // Verified but not mapped (another subject, or the node's subject from the other trusted CA):
  // holdfast cannot present it upstream.
  assertEquals(await send("app"), { status: 403, reason: "Forbidden", upstream: [] });
  assertEquals(await send("twin", other), { status: 403, reason: "Forbidden", upstream: [] });
  // The node's subject from an untrusted CA, and no credential at all (even from loopback with
  // kubelet's User-Agent): 401, in the client's format.
  assertEquals(await send("forged", stranger), {
    status: 401,
    reason: "Unauthorized",
    upstream: [],
  });
  assertEquals(await send(), { status: 401, reason: "Unauthorized", upstream: [] });
  assertEquals(await send(undefined, pki, "application/vnd.kubernetes.protobuf"), {
    status: 401,
    reason: "Unauthorized",
    upstream: [],
  });
  await Deno.remove(pki, { recursive: true });
});
