/**
 * Upstream identity and client address stand-ins for tests that build a proxy handler directly.
 * @module
 */
import type { AnonymousPolicy } from "../../src/proxy/credential.ts";
import type { UpstreamIdentity } from "../../src/upstream/identity.ts";

/** A client address on loopback. */
export const LOOPBACK: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 40000 };

/** Every loopback client without a credential acts as the node. */
export const LOOPBACK_CLIENTS: AnonymousPolicy = {
  mode: "node-identity-for-loopback-components",
  components: "*",
};

/** An identity that never rotates: one client for both uses, and the node's `token` if given. */
export function fixedIdentity(client: Deno.HttpClient, token?: string): UpstreamIdentity {
  return {
    nodeClient: client,
    plainClient: client,
    nodeAuthorization: token ? `Bearer ${token}` : null,
  };
}

/** A temporary folder holding `pair`'s client certificate and key; remove `dir` when done. */
export async function clientPairFiles(pair: { clientCert: string; clientKey: string }) {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-pki-" });
  const files = { dir, clientCertFile: `${dir}/client.crt`, clientKeyFile: `${dir}/client.key` };
  await Deno.writeTextFile(files.clientCertFile, pair.clientCert);
  await Deno.writeTextFile(files.clientKeyFile, pair.clientKey);
  return files;
}
