/**
 * The HTTP client holdfast talks to the cloud with: the upstream CA and client certificate in a
 * `Deno.HttpClient`, and the configured bearer token for requests that bring none of their own.
 * @module
 */
import type { UpstreamCredentials } from "../config/types.ts";

/** Builds the `fetch` client carrying the upstream trust and client certificate. */
export function createUpstreamClient(credentials: UpstreamCredentials): Deno.HttpClient {
  return Deno.createHttpClient({
    caCerts: credentials.caCert ? [credentials.caCert] : undefined,
    cert: credentials.clientCert,
    key: credentials.clientKey,
    poolMaxIdlePerHost: 64,
    poolIdleTimeout: 90_000,
  });
}

/**
 * Returns the value for the upstream `Authorization` header: the client's own bearer token passes
 * through, otherwise the configured token is used (re-read from its file when it rotates).
 */
export function upstreamAuthorization(
  clientAuthorization: string | null,
  credentials: UpstreamCredentials,
): string | null {
  if (clientAuthorization && /^bearer\s+\S/i.test(clientAuthorization)) return clientAuthorization;
  return credentials.token ? `Bearer ${credentials.token}` : null;
}
