/**
 * The HTTPS listener for in-cluster clients (pods using their service account's token, as
 * YurtHub serves on 10268). `Deno.serve` cannot ask for client certificates, so this listener is
 * `node:https`, bridged to the same web-standard handler as the plain listener: request bodies
 * and responses stay streams (watches stream, backpressure holds), and a client that goes away
 * cancels its response. A presented client certificate is checked here against the configured CA
 * (signature, issuer, validity), never taken from the TLS layer's own verdict.
 *
 * The `node:` modules are imported when the listener starts, not with this module: `deno bundle`
 * turns a module's static `node:` imports into imports at the top of the single-file bundle,
 * which would load them (and several MB of Node compatibility layer) in every agent, HTTPS
 * listener or not.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { ListenAddress } from "../config/types.ts";
import { badRequest } from "../kube/status.ts";
import type { ClientTls } from "./credential.ts";
import { checkedTarget } from "./request_target.ts";
import { statusResponse } from "./respond.ts";
import type { ServeRequest } from "./server.ts";

/** The listener's TLS material (PEM). */
export interface HttpsListenerTls {
  cert: string;
  key: string;
  /** CA bundle client certificates must chain to; absent: certificates are not asked for. */
  clientCA?: string;
}

/** A running HTTPS listener. */
export interface HttpsListener {
  addr: Deno.NetAddr;
  /**
   * Stops accepting, closes idle connections, and after `graceMs` (open responses may end by
   * themselves meanwhile: watches end at shutdown) every connection still open.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** The parts of Node's API the listener uses, imported when it starts. */
interface NodeApi {
  X509Certificate: typeof X509Certificate;
  toWeb: (typeof import("node:stream"))["Readable"]["toWeb"];
}

/** Serves `serve` over TLS on `address`. */
export async function serveHttps(
  address: ListenAddress,
  tls: HttpsListenerTls,
  serve: ServeRequest,
): Promise<HttpsListener> {
  const [{ default: https }, crypto, { Readable }] = await Promise.all([
    import("node:https"),
    import("node:crypto"),
    import("node:stream"),
  ]);
  const node: NodeApi = {
    X509Certificate: crypto.X509Certificate,
    toWeb: (stream) => Readable.toWeb(stream),
  };
  const authorities = tls.clientCA ? certificatesIn(node, tls.clientCA) : [];
  const server = https.createServer({
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCA ? { ca: tls.clientCA, requestCert: true, rejectUnauthorized: false } : {}),
  }, (req: IncomingMessage, res: ServerResponse) => {
    bridge(node, req, res, serve, authorities).catch(() => res.destroy());
  });
  const sockets = new Set<Socket>();
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => {}); // a failed handshake concerns that client only
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as { address: string; port: number };
  return {
    addr: { transport: "tcp", hostname: bound.address, port: bound.port },
    async shutdown(graceMs = 2_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
      await Promise.race([closed, late]);
      clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function bridge(
  node: NodeApi,
  req: IncomingMessage,
  res: ServerResponse,
  serve: ServeRequest,
  authorities: readonly X509Certificate[],
): Promise<void> {
  const aborter = new AbortController();
  const completed = new Promise<void>((resolve) => {
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort();
      resolve();
    });
  });
  const socket = req.socket as TLSSocket;
  const remote: Deno.NetAddr = {
    transport: "tcp",
    hostname: socket.remoteAddress ?? "",
    port: socket.remotePort ?? 0,
  };
  const host = req.headers.host ?? null;
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const url = checkedTarget(`https://${host ?? "localhost"}${req.url ?? ""}`, host);
  let response: Response;
  if (typeof url === "string") {
    req.resume();
    response = statusResponse(badRequest(url), headers.get("accept"));
  } else {
    const method = req.method ?? "GET";
    const bodyless = method === "GET" || method === "HEAD";
    if (bodyless) req.resume();
    const request = new Request(url, {
      method,
      headers,
      body: bodyless ? undefined : node.toWeb(req) as ReadableStream<Uint8Array>,
      signal: aborter.signal,
    });
    response = await serve(request, remote, completed, clientTls(node, socket, authorities));
  }
  await sendResponse(response, res, aborter.signal);
}

/**
 * Writes `response` to `res` (headers at once, then the body at the pace the client reads);
 * cancels the body when `gone` aborts (the client left).
 */
export async function sendResponse(
  response: Response,
  res: ServerResponse,
  gone: AbortSignal,
): Promise<void> {
  if (gone.aborted) return void await response.body?.cancel().catch(() => {});
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => headers[name] = value);
  res.writeHead(response.status, headers);
  res.flushHeaders(); // a watch's headers go out before its first event
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  const cancel = () => reader.cancel().catch(() => {});
  gone.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    gone.removeEventListener("abort", cancel);
  }
}

/** Resolves when `res` can take more (`drain`) or is gone (`close`). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** What the client's certificate says, checked against `authorities`. */
function clientTls(
  node: NodeApi,
  socket: TLSSocket,
  authorities: readonly X509Certificate[],
): ClientTls {
  if (authorities.length === 0) return {};
  const peer = socket.getPeerCertificate(true);
  if (!peer?.raw) return {};
  let certificate: X509Certificate;
  try {
    certificate = new node.X509Certificate(peer.raw);
  } catch {
    return { problem: "the certificate cannot be read" };
  }
  const issuer = issuerOf(certificate, authorities, new Date());
  if (typeof issuer === "string") return { problem: issuer };
  return { subject: subjectOf(certificate), issuer: issuer.fingerprint256 };
}

/**
 * The CA among `authorities` that issued `certificate`, valid at `now`, or why there is none.
 * Only certificates issued directly by a configured CA are accepted.
 */
function issuerOf(
  certificate: X509Certificate,
  authorities: readonly X509Certificate[],
  now: Date,
): X509Certificate | string {
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (!(now >= from && now <= to)) return "it is not valid at this time";
  if (certificate.ca) return "it is a CA certificate";
  const issuer = authorities.find((ca) =>
    certificate.checkIssued(ca) && certificate.verify(ca.publicKey)
  );
  return issuer ?? "it is not signed by the configured client CA";
}

/** A certificate's subject in OpenSSL's one-line form: `/O=system:nodes/CN=system:node:edge-1`. */
function subjectOf(certificate: X509Certificate): string {
  return certificate.subject.split("\n").map((part) => `/${part}`).join("");
}

/** Every certificate in a PEM bundle. */
function certificatesIn(node: NodeApi, pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  return (blocks ?? []).map((block) => new node.X509Certificate(block));
}
