/**
 * Which credential a request goes upstream with. A client's own bearer token goes alone (never
 * with the node's certificate or token). A request without a credential may act as the node only
 * when the policy allows it: from a loopback address and by one of the configured components.
 * Any other `Authorization` (Basic, a bogus scheme, an empty token) is refused, as kube-apiserver
 * refuses it, so it is never forwarded with the node's identity. On the HTTPS listener a request
 * without a token is never anonymous: it acts as the node only with a verified client certificate
 * that `identityAliases` maps to the node. Pure.
 * @module
 */
import type { AnonymousRequests } from "../config/types.ts";
import { forbidden, type Status, unauthorized } from "../kube/status.ts";

/** The node's identity, or the client's own bearer token. */
export type UpstreamAs = "node" | "own-token";

/** Who may act as the node. */
export interface AnonymousPolicy {
  mode: AnonymousRequests;
  /** Components that may act as the node from loopback, or every loopback client. */
  components: ReadonlySet<string> | "*";
  /** Client identities (`cert:<subject>`, `token:<id>`) mapped to others (`node`, …). */
  aliases?: ReadonlyMap<string, string>;
}

/** What the HTTPS listener learned of the client's certificate. */
export interface ClientTls {
  /** The subject of a presented certificate that chains to the configured client CA. */
  subject?: string;
  /** The SHA-256 fingerprint of the CA that issued it (`AB:CD:…`, as `openssl x509` prints). */
  issuer?: string;
  /** Why a presented certificate was not accepted. */
  problem?: string;
}

/** The identity of a verified client certificate with `subject` (`/O=…/CN=…`). */
function certificateIdentity(subject: string): string {
  return `cert:${subject}`;
}

const BEARER = /^bearer +[^\s]+ *$/i;

/**
 * What a request with `authorization` from `component` at `remote` is sent upstream as, or the
 * 401 (or 403) `Status` refusing it. An unknown `remote` is not loopback. `tls` is set for
 * requests on the HTTPS listener.
 */
export function upstreamAs(
  authorization: string | null,
  component: string,
  remote: Deno.Addr | undefined,
  policy: AnonymousPolicy,
  tls?: ClientTls,
): UpstreamAs | Status {
  if (authorization !== null) {
    if (BEARER.test(authorization)) return "own-token";
    return unauthorized("holdfast forwards only bearer tokens; other credentials are refused");
  }
  if (tls) return certificateAs(tls, policy);
  if (policy.mode === "refuse") {
    return unauthorized("a request without a credential is refused (anonymousRequests: refuse)");
  }
  if (!isLoopback(remote)) {
    return unauthorized("a request without a credential acts as the node only from loopback");
  }
  if (policy.components !== "*" && !policy.components.has(component)) {
    return unauthorized(
      `component "${component}" may not act as the node (nodeIdentityComponents); ` +
        "send a bearer token",
    );
  }
  return "node";
}

function certificateAs(tls: ClientTls, policy: AnonymousPolicy): UpstreamAs | Status {
  if (tls.problem) return unauthorized(`the client certificate is not accepted: ${tls.problem}`);
  if (tls.subject === undefined) {
    return unauthorized("the HTTPS listener needs a bearer token or a client certificate");
  }
  const identity = certificateIdentity(tls.subject);
  const mapped = policy.aliases?.get(`${identity} issuer=${tls.issuer}`) ??
    policy.aliases?.get(identity);
  if (mapped === "node") return "node";
  return forbidden(
    `holdfast can act upstream only as the node or with the client's own bearer token; ` +
      `the certificate ${identity} is not mapped to the node (identityAliases)`,
  );
}

/** The token of a bearer `authorization` (which {@linkcode upstreamAs} accepted). */
export function bearerToken(authorization: string): string {
  return authorization.trim().slice("bearer".length).trim();
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(remote: Deno.Addr | undefined): boolean {
  if (remote?.transport !== "tcp") return false;
  const host = remote.hostname;
  return host.startsWith("127.") || host === "::1" || host.startsWith("::ffff:127.");
}
