/**
 * The node's credential files rotated under a running agent: the new token and the new client
 * certificate are used without a restart.
 */
import { assertEquals } from "./assert.ts";
import { startStack, waitFor } from "./harness.ts";
import { pkiFor } from "../scripts/apiserver-sim/pki.ts";
import { clientPairFiles } from "./proxy/identity_fixture.ts";

/** GETs `path` as the kubelet and answers the HTTP status. */
async function getAsKubelet(proxyUrl: string, path: string): Promise<number> {
  const response = await fetch(`${proxyUrl}${path}`, {
    headers: { "user-agent": "kubelet/v1.33.0" },
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("rotation: a rewritten token file is used by the running agent", async () => {
  const dir = await Deno.makeTempDir();
  const tokenFile = `${dir}/token`;
  await Deno.writeTextFile(tokenFile, "expired-token\n");
  try {
    await using stack = await startStack({
      sim: { tls: false, token: "fresh-token" },
      config: { upstream: { token: "expired-token", tokenFile } },
    });
    const path = "/api/v1/namespaces";
    assertEquals(await getAsKubelet(stack.proxyUrl, path), 401);

    await Deno.writeTextFile(tokenFile, "fresh-token\n");
    await waitFor(
      "a 200 as the node",
      async () => await getAsKubelet(stack.proxyUrl, path) === 200,
    );
    assertEquals(stack.sim.requests.recent({ path }).at(-1)?.identity, "token");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rotation: a rewritten client certificate and key are used by the running agent", async () => {
  const [sim, foreign] = await Promise.all([pkiFor("node-0"), pkiFor("rotated-away")]);
  const { dir, clientCertFile, clientKeyFile } = await clientPairFiles(foreign);
  try {
    // The simulator shares the cached PKI of node-0 and refuses the handshake of any other.
    await using stack = await startStack({
      sim: { tls: true },
      config: {
        upstream: {
          caCert: sim.caCert,
          clientCert: foreign.clientCert,
          clientCertFile,
          clientKey: foreign.clientKey,
          clientKeyFile,
        },
      },
    });
    const path = "/api/v1/namespaces";
    assertEquals(await getAsKubelet(stack.proxyUrl, path), 503); // no upstream takes it

    // Written as a rotation tool might: the certificate first, then its key.
    await Deno.writeTextFile(clientCertFile, sim.clientCert);
    await Deno.writeTextFile(clientKeyFile, sim.clientKey);
    await waitFor(
      "a 200 as the node",
      async () => await getAsKubelet(stack.proxyUrl, path) === 200,
    );
    assertEquals(
      stack.sim.requests.recent({ path }).at(-1)?.identity,
      "cert:system:node:node-0",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
