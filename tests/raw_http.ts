/**
 * Test helper: HTTP/1.1 requests sent as raw bytes over TCP, so no client library normalizes or
 * refuses them first, and their answers read back as sent.
 * @module
 */
import { assertEquals } from "./assert.ts";
import { concat } from "../src/streams/concat.ts";

/** An answer read off the wire (status 0 when the server closed without one). */
export interface RawAnswer {
  status: number;
  headers: Headers;
  /** The body (chunked transfer decoded) as bytes, and as UTF-8 text. */
  bytes: Uint8Array;
  body: string;
}

/**
 * Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body` as
 * they are, with `Connection: close`, and reads the answer until the server closes. A server that
 * refuses before reading everything (and resets the connection) still gives what it answered.
 */
export async function rawRequest(
  port: number,
  head: string,
  body: Uint8Array = new Uint8Array(),
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = new TextEncoder().encode(`${head}\r\nConnection: close\r\n\r\n`);
  const writing = (async () => {
    await conn.write(request);
    for (let at = 0; at < body.byteLength;) at += await conn.write(body.subarray(at));
  })().catch(() => {}); // refused before the end: the answer says why
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const buffer = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  await writing;
  conn.close();
  return parseAnswer(new Uint8Array(await new Blob(chunks).arrayBuffer()));
}

function parseAnswer(raw: Uint8Array): RawAnswer {
  const text = String.fromCharCode(...raw.subarray(0, 65536)); // one char a byte: offsets agree
  const split = text.indexOf("\r\n\r\n");
  if (split === -1) {
    return { status: 0, headers: new Headers(), bytes: raw, body: new TextDecoder().decode(raw) };
  }
  const [statusLine, ...headerLines] = text.slice(0, split).split("\r\n");
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  let bytes = raw.subarray(split + 4);
  if (headers.get("transfer-encoding") === "chunked") bytes = unchunk(bytes);
  const body = new TextDecoder().decode(bytes);
  return { status: Number(statusLine.split(" ")[1]), headers, bytes, body };
}

function unchunk(raw: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0;;) {
    let end = at;
    while (end + 1 < raw.length && !(raw[end] === 13 && raw[end + 1] === 10)) end++;
    const size = parseInt(new TextDecoder().decode(raw.subarray(at, end)), 16);
    if (!(size > 0)) break;
    parts.push(raw.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  return concat(parts);
}

/** Asserts `answer` is a JSON `Status` with HTTP `code` and `reason`. */
export function assertRawStatus(answer: RawAnswer, code: number, reason: string, what: string) {
  assertEquals(answer.status, code, `${what}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
  assertEquals(answer.headers.get("content-type"), "application/json", what);
  const status = JSON.parse(answer.body);
  assertEquals(
    { kind: status.kind, code: status.code, reason: status.reason },
    { kind: "Status", code, reason },
    what,
  );
}
