import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { issue, makeCa } from "../../../scripts/apiserver-sim/pki.ts";
import { parse } from "yaml";

const scale = { pods: 10, nodes: 1, namespaces: 1, services: 1 };

Deno.test("tls: a client certificate signed by the CA is accepted and identified", async () => {
  await using sim = await startSimulator({ scale, tls: true });
  assert.match(sim.url, /^https:/);
  using client = Deno.createHttpClient({
    caCerts: [sim.tls!.caCert],
    cert: sim.tls!.clientCert,
    key: sim.tls!.clientKey,
  });
  const response = await fetch(`${sim.url}/api/v1/nodes`, { client });
  assert.equal(response.status, 200);
  await response.body?.cancel();
  assert.equal(sim.requests.recent()[0].identity, "cert:system:node:node-0");
});

Deno.test("tls: without a client certificate the handshake fails", async () => {
  await using sim = await startSimulator({ scale, tls: true });
  using client = Deno.createHttpClient({ caCerts: [sim.tls!.caCert] });
  await assert.rejects(() => fetch(`${sim.url}/api/v1/nodes`, { client }));
});

Deno.test("tls: with a token, a request without credentials is 401 Unauthorized", async () => {
  await using sim = await startSimulator({ scale, tls: true, token: true });
  using client = Deno.createHttpClient({ caCerts: [sim.tls!.caCert] });
  const anonymous = await fetch(`${sim.url}/api/v1/nodes`, { client });
  assert.deepEqual([anonymous.status, (await anonymous.json()).reason], [401, "Unauthorized"]);
  const wrong = await fetch(`${sim.url}/api/v1/nodes`, {
    client,
    headers: { authorization: "Bearer wrong" },
  });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  const ok = await fetch(`${sim.url}/api/v1/nodes`, {
    client,
    headers: { authorization: `Bearer ${sim.token}` },
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  assert.equal(sim.requests.recent().at(-1)!.identity, "token");
});

Deno.test("auth: a token on plain HTTP guards the API but not /healthz", async () => {
  await using sim = await startSimulator({ scale, token: "secret" });
  assert.equal(await (await fetch(`${sim.url}/healthz`)).text(), "ok");
  const response = await fetch(`${sim.url}/api/v1/pods`);
  assert.equal(response.status, 401);
  await response.body?.cancel();
});

Deno.test("kubeconfig: embeds the CA, the client certificate and the token", async () => {
  await using sim = await startSimulator({ scale, tls: true, token: "t0k3n" });
  const config = parse(sim.kubeconfig());
  assert.equal(config.clusters[0].cluster.server, sim.url);
  assert.equal(atob(config.clusters[0].cluster["certificate-authority-data"]), sim.tls!.caCert);
  assert.equal(atob(config.users[0].user["client-certificate-data"]), sim.tls!.clientCert);
  assert.equal(config.users[0].user.token, "t0k3n");
  const tokenOnly = parse(sim.kubeconfig({ credentials: "token" }));
  assert.equal(tokenOnly.users[0].user["client-certificate-data"], undefined);
});

/** A client certificate for `system:node:<node>` from a CA of its own (not the simulator's). */
async function foreignClient(node: string) {
  const dir = await Deno.makeTempDir({ prefix: "sim-foreign-ca-" });
  try {
    await makeCa(dir, "foreign-ca");
    await issue(
      dir,
      "client",
      `/O=openyurt:yurthub/O=system:nodes/CN=system:node:${node}`,
      "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
        "extendedKeyUsage=clientAuth\n",
    );
    const read = (file: string) => Deno.readTextFile(`${dir}/${file}`);
    return {
      ca: await read("ca.crt"),
      cert: await read("client.crt"),
      key: await read("client.key"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tls: clientCa also accepts client certificates of that CA, beside its own", async () => {
  const foreign = await foreignClient("hub-0");
  await using sim = await startSimulator({ scale, tls: true, clientCa: foreign.ca });
  using client = Deno.createHttpClient({
    caCerts: [sim.tls!.caCert],
    cert: foreign.cert,
    key: foreign.key,
  });
  const response = await fetch(`${sim.url}/api/v1/nodes`, { client });
  assert.equal(response.status, 200);
  await response.body?.cancel();
  assert.equal(sim.requests.recent().at(-1)!.identity, "cert:system:node:hub-0");
  using own = Deno.createHttpClient({
    caCerts: [sim.tls!.caCert],
    cert: sim.tls!.clientCert,
    key: sim.tls!.clientKey,
  });
  const ownResponse = await fetch(`${sim.url}/api/v1/nodes`, { client: own });
  assert.equal(ownResponse.status, 200);
  await ownResponse.body?.cancel();
});

Deno.test("tls: without clientCa a certificate of another CA fails the handshake", async () => {
  const foreign = await foreignClient("hub-0");
  await using sim = await startSimulator({ scale, tls: true });
  using client = Deno.createHttpClient({
    caCerts: [sim.tls!.caCert],
    cert: foreign.cert,
    key: foreign.key,
  });
  await assert.rejects(() => fetch(`${sim.url}/api/v1/nodes`, { client }));
});
