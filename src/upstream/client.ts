/**
 * The HTTP clients holdfast talks to the cloud with: the upstream CA, and the node's client
 * certificate only in the client used for the node's own identity.
 * @module
 */
import type { UpstreamCredentials } from "../config/types.ts";

/**
 * Builds a `fetch` client trusting the upstream CA; it carries the node's client certificate
 * only when `withCertificate` is true. Throws when the PEM texts are unusable.
 */
export function createUpstreamClient(
  credentials: UpstreamCredentials,
  withCertificate: boolean,
): Deno.HttpClient {
  return Deno.createHttpClient({
    caCerts: credentials.caCert ? [credentials.caCert] : undefined,
    cert: withCertificate ? credentials.clientCert : undefined,
    key: withCertificate ? credentials.clientKey : undefined,
    poolMaxIdlePerHost: 64,
    poolIdleTimeout: 90_000,
  });
}
