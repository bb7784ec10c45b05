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
import { drained } from "../../src/proxy/https_server.ts";
import { acceptsGzip, GZIP_THRESHOLD_BYTES } from "./compression.ts";

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
  readonly #compression: boolean;
  #port: number;
  #server?: http.Server;
  readonly #sockets = new Set<Socket>();

  /**
   * With `compression` false no answer is gzipped whatever the client accepts (kube-apiserver
   * with `--feature-gates=APIResponseCompression=false`).
   */
  constructor(
    handler: Handler,
    hostname: string,
    port: number,
    tls?: TlsSettings,
    compression = true,
  ) {
    this.#handler = handler;
    this.#hostname = hostname;
    this.#port = port;
    this.#tls = tls;
    this.#compression = compression;
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
    if (!this.#compression) headers.delete("accept-encoding");
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
    const acceptEncoding = headers.get("accept-encoding");
    await send(res, response, acceptsGzip(acceptEncoding), aborter.signal);
  }
}

/**
 * The bytes Go's net/http buffers before it must choose the framing: a body that ends within them
 * goes out with Content-Length, a longer one chunked.
 */
export const CONTENT_LENGTH_LIMIT = 2048;

/**
 * Writes `response` as kube-apiserver's Go server frames it. A stream marked
 * `Transfer-Encoding: chunked` (a watch) sends its headers at once and each chunk as it comes.
 * Any other body is read ahead: one over {@link GZIP_THRESHOLD_BYTES} is gzipped when the client
 * accepts gzip; then a body that ends within {@link CONTENT_LENGTH_LIMIT} bytes gets a
 * Content-Length, a longer one goes chunked. A body that fails while read ahead is sent as far
 * as it got, then the connection is dropped (as a body failing mid-stream is).
 */
async function send(
  res: http.ServerResponse,
  response: Response,
  gzip: boolean,
  signal: AbortSignal,
): Promise<void> {
  const headers = Object.fromEntries(response.headers);
  const streaming = response.headers.get("transfer-encoding")?.toLowerCase() === "chunked";
  if (!response.body || streaming || response.headers.has("content-encoding")) {
    res.writeHead(response.status, headers);
    // Headers go out before the first body byte, as kube-apiserver's watch does.
    res.flushHeaders();
    if (response.body) await pipe(res, response.body.getReader(), [], signal);
    else res.end();
    return;
  }
  let reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  if (gzip) {
    const ahead = await readAhead(reader, GZIP_THRESHOLD_BYTES);
    if (ahead.failed) return fail(res, response.status, headers, ahead.chunks);
    if (!ahead.ended) {
      headers["content-encoding"] = "gzip";
      headers.vary = "Accept-Encoding";
      reader = prepend(ahead.chunks, reader)
        .pipeThrough(new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>)
        .getReader();
    } else reader = prepend(ahead.chunks, reader).getReader();
  }
  const ahead = await readAhead(reader, CONTENT_LENGTH_LIMIT);
  if (ahead.failed) return fail(res, response.status, headers, ahead.chunks);
  if (ahead.ended) headers["content-length"] = String(ahead.size);
  res.writeHead(response.status, headers);
  await pipe(res, reader, ahead.chunks, signal);
}

interface Ahead {
  chunks: Uint8Array[];
  size: number;
  /** The body ended within the limit. */
  ended: boolean;
  /** The body failed. */
  failed: boolean;
}

/** Reads chunks until more than `limit` bytes came, the body ended or it failed. */
async function readAhead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<Ahead> {
  const ahead: Ahead = { chunks: [], size: 0, ended: false, failed: false };
  try {
    while (ahead.size <= limit) {
      const { done, value } = await reader.read();
      if (done) {
        ahead.ended = true;
        break;
      }
      ahead.chunks.push(value);
      ahead.size += value.length;
    }
  } catch {
    ahead.failed = true;
  }
  return ahead;
}

/** `chunks`, then the rest of `reader`, as one stream. */
function prepend(
  chunks: readonly Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Sends the headers and what the body gave before it failed, then drops the connection. */
function fail(
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string>,
  chunks: readonly Uint8Array[],
): void {
  res.writeHead(status, headers);
  res.flushHeaders();
  for (const chunk of chunks) res.write(chunk);
  res.destroy();
}

/** Writes `first`, then the rest of `reader`, to `res` with backpressure; drops it on failure. */
async function pipe(
  res: http.ServerResponse,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: readonly Uint8Array[],
  signal: AbortSignal,
): Promise<void> {
  signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
  try {
    for (const chunk of first) res.write(chunk);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch {
    res.destroy();
  }
}
