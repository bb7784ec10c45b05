/**
 * Which credential a request goes upstream with. A client's own bearer token goes alone (never
 * with the node's certificate or token). A request without a credential may act as the node only
 * when the policy allows it: from a loopback address and by one of the configured components.
 * Any other `Authorization` (Basic, a bogus scheme, an empty token) is refused, as kube-apiserver
 * refuses it, so it is never forwarded with the node's identity. Pure.
 * @module
 */
import type { AnonymousRequests } from "../config/types.ts";
import { type Status, unauthorized } from "../kube/status.ts";

/** The node's identity, or the client's own bearer token. */
export type UpstreamAs = "node" | "own-token";

/** Who may act as the node. */
export interface AnonymousPolicy {
  mode: AnonymousRequests;
  /** Components that may act as the node from loopback, or every loopback client. */
  components: ReadonlySet<string> | "*";
}

const BEARER = /^bearer +[^\s]+ *$/i;

/**
 * What a request with `authorization` from `component` at `remote` is sent upstream as, or the
 * 401 `Status` refusing it. An unknown `remote` is not loopback.
 */
export function upstreamAs(
  authorization: string | null,
  component: string,
  remote: Deno.Addr | undefined,
  policy: AnonymousPolicy,
): UpstreamAs | Status {
  if (authorization !== null) {
    if (BEARER.test(authorization)) return "own-token";
    return unauthorized("holdfast forwards only bearer tokens; other credentials are refused");
  }
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

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(remote: Deno.Addr | undefined): boolean {
  if (remote?.transport !== "tcp") return false;
  const host = remote.hostname;
  return host.startsWith("127.") || host === "::1" || host.startsWith("::ffff:127.");
}
