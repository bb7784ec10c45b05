/**
 * A bare HTTP/1.1 client (over TLS, or plain) for the differential comparison: it sends one request with
 * `Connection: close`, reads until the server closes, and returns the status, the headers as
 * sent, how the body was framed (Content-Length or chunked) and the body bytes exactly as they
 * came (de-chunked, never decompressed) — what `fetch` hides.
 * @module
 */
import { concat } from "../encoding.ts";

/** Where to send requests. */
export interface RawTarget {
  hostname: string;
  port: number;
  /** CA certificates (PEM) to trust; none: plain HTTP. */
  caCerts: string[];
  /** Sent as `Authorization: Bearer <token>` (none when empty). */
  token: string;
}

/** One request. */
export interface RawRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/** One answer. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased, in arrival order. */
  headers: [string, string][];
  /** `length` (Content-Length), `chunked`, or `close` (neither: read to the end). */
  framing: "length" | "chunked" | "close";
  body: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The first value of header `name` (lower case), or undefined. */
export function header(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1];
}

/** Sends `request` to `target`; the server must answer and close within `timeoutMs`. */
export async function rawExchange(
  target: RawTarget,
  request: RawRequest,
  timeoutMs = 30_000,
): Promise<RawResponse> {
  const body = typeof request.body === "string" ? encoder.encode(request.body) : request.body;
  const lines = [
    `${request.method} ${request.path} HTTP/1.1`,
    `Host: ${target.hostname}:${target.port}`,
    "Connection: close",
  ];
  if (target.token) lines.push(`Authorization: Bearer ${target.token}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    lines.push(`${name}: ${value}`);
  }
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = encoder.encode(lines.join("\r\n") + "\r\n\r\n");
  const { hostname, port, caCerts } = target;
  const conn = caCerts.length
    ? await Deno.connectTls({ hostname, port, caCerts })
    : await Deno.connect({ hostname, port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  const parts: Uint8Array[] = [];
  try {
    await writeAll(conn, head);
    if (body) await writeAll(conn, body);
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      parts.push(buffer.slice(0, n));
    }
  } catch (error) {
    throw new Error(`${request.method} ${request.path}: no complete answer (${error})`);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
  return parseResponse(concat(parts));
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

function indexOf(bytes: Uint8Array, needle: string, from = 0): number {
  const codes = encoder.encode(needle);
  outer: for (let i = from; i <= bytes.length - codes.length; i++) {
    for (let j = 0; j < codes.length; j++) if (bytes[i + j] !== codes[j]) continue outer;
    return i;
  }
  return -1;
}

/** Parses a whole HTTP/1.1 response (status line, headers, body framed as the headers say). */
export function parseResponse(bytes: Uint8Array): RawResponse {
  const end = indexOf(bytes, "\r\n\r\n");
  if (end < 0) throw new Error("the answer has no complete header block");
  const [statusLine, ...fields] = decoder.decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers = fields.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  const rest = bytes.subarray(end + 4);
  const encoding = headers.find(([n]) => n === "transfer-encoding")?.[1];
  if (encoding?.toLowerCase() === "chunked") {
    return { status, headers, framing: "chunked", body: dechunk(rest) };
  }
  const length = headers.find(([n]) => n === "content-length")?.[1];
  if (length !== undefined) {
    return { status, headers, framing: "length", body: rest.subarray(0, Number(length)) };
  }
  return { status, headers, framing: "close", body: rest };
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = indexOf(bytes, "\r\n", at);
    if (lineEnd < 0) break;
    const size = parseInt(decoder.decode(bytes.subarray(at, lineEnd)).split(";")[0], 16);
    if (!size) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return concat(parts);
}
