/**
 * The simulator's listener: `node:http`, or `node:https` when TLS is on (the only Deno server that
 * can request and verify client certificates), adapted to a web-standard handler
 * `(Request, Client) → Response`. It can stop listening and drop every connection (a link that
 * went down) and listen again on the same port, and a handler can drop its own connection
 * without answering.
 * @module
 */
import http from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import type { Socket } from "node:net";

/** The client side of one request. */
export interface Client {
  /** The verified client certificate's subject CN, if one was presented and verified. */
  certificateCN?: string;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

/** Thrown (or returned as rejection) by a handler to drop the connection without an answer. */
export class DropConnection extends Error {}

/** Answers one request. */
export type Handler = (request: Request, client: Client) => Promise<Response>;

/** TLS settings: PEMs and whether a client certificate is required at the handshake. */
export interface TlsSettings {
  cert: string;
  key: string;
  /** The CA(s) client certificates must chain to. */
  ca: string | string[];
  requireClientCert: boolean;
}

/** A listener that can go down and come back on the same port. */
export class Listener {
  readonly #handler: Handler;
  readonly #hostname: string;
  readonly #tls?: TlsSettings;
  #port: number;
  #server?: http.Server;
  readonly #sockets = new Set<Socket>();

  constructor(handler: Handler, hostname: string, port: number, tls?: TlsSettings) {
    this.#handler = handler;
    this.#hostname = hostname;
    this.#port = port;
    this.#tls = tls;
  }

  /** The port (known once listening). */
  get port(): number {
    return this.#port;
  }

  /** Whether it is accepting connections. */
  get listening(): boolean {
    return this.#server !== undefined;
  }

  /** Starts listening (on the same port as before, after a `close`). */
  async listen(): Promise<void> {
    if (this.#server) return;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.#serve(req, res).catch(() => res.destroy());
    };
    const server = this.#tls
      ? https.createServer({
        cert: this.#tls.cert,
        key: this.#tls.key,
        ca: this.#tls.ca,
        requestCert: true,
        rejectUnauthorized: this.#tls.requireClientCert,
      }, onRequest)
      : http.createServer(onRequest);
    server.on(this.#tls ? "secureConnection" : "connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, this.#hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    server.closeAllConnections();
    await closed;
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const aborter = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort();
    });
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array<ArrayBuffer>);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) { for (const v of value) headers.append(name, v); }
      else if (value !== undefined) headers.set(name, value);
    }
    const method = req.method ?? "GET";
    const scheme = this.#tls ? "https" : "http";
    const request = new Request(`${scheme}://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" || chunks.length === 0
        ? undefined
        : new Blob(chunks),
      signal: aborter.signal,
    });
    const socket = req.socket as TLSSocket;
    const client: Client = { signal: aborter.signal };
    if (this.#tls && socket.authorized) {
      const cn = socket.getPeerCertificate()?.subject?.CN;
      if (cn) client.certificateCN = Array.isArray(cn) ? cn[0] : cn;
    }
    let response: Response;
    try {
      response = await this.#handler(request, client);
    } catch (error) {
      if (error instanceof DropConnection) {
        res.destroy();
        return;
      }
      throw error;
    }
    if (aborter.signal.aborted) {
      await response.body?.cancel();
      return;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    // Headers go out before the first body byte, as kube-apiserver's watch does.
    res.flushHeaders();
    if (!response.body) {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    aborter.signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off("drain", done);
              res.off("close", done);
              resolve();
            };
            res.on("drain", done);
            res.on("close", done);
          });
        }
      }
      res.end();
    } catch {
      res.destroy();
    }
  }
}
