/**
 * Byte-for-byte comparison of an answer fetched directly from kube-apiserver and through holdfast:
 * status, headers (but those that legitimately differ per response) and body. A write elsewhere in
 * the cluster moves a LIST's resourceVersion, so each answer through holdfast is taken between two
 * direct ones, and only a pair of equal direct answers (nothing changed meanwhile) judges it.
 * @module
 */
import type { Admin } from "./apiserver.ts";

/**
 * Headers not compared: those that differ between any two responses of kube-apiserver, and the
 * framing (holdfast streams every answer chunked, as it may have decoded a gzip body; direct
 * answers come over HTTP/2). The bodies are compared byte for byte, lengths included.
 */
const NOT_COMPARED = new Set(["date", "audit-id", "content-length", "transfer-encoding"]);

/** What a response is compared on. */
interface Answer {
  status: number;
  headers: string;
  body: Uint8Array;
}

async function answer(response: Response): Promise<Answer> {
  const headers = [...response.headers].filter(([name]) => !NOT_COMPARED.has(name))
    .map(([name, value]) => `${name}: ${value}`).sort().join("\n");
  return { status: response.status, headers, body: new Uint8Array(await response.arrayBuffer()) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Where two answers differ, or undefined when they do not. */
function difference(direct: Answer, via: Answer): string | undefined {
  if (direct.status !== via.status) return `status ${direct.status} direct, ${via.status} via`;
  if (direct.headers !== via.headers) {
    return `headers differ:\n  direct: ${direct.headers.replaceAll("\n", "; ")}\n  via:    ${
      via.headers.replaceAll("\n", "; ")
    }`;
  }
  if (!sameBytes(direct.body, via.body)) {
    const at = direct.body.findIndex((byte, i) => byte !== via.body[i]);
    return `bodies differ (${direct.body.length} and ${via.body.length} bytes, first at ${at})`;
  }
  return undefined;
}

/**
 * Compares `GET path` with `accept` directly and through holdfast at `proxyUrl`; returns the
 * difference, or undefined when the answers are identical. Gives up (an error) when the direct
 * answers keep changing.
 */
export async function compareAnswers(
  admin: Admin,
  proxyUrl: string,
  path: string,
  accept: string,
): Promise<string | undefined> {
  const headers = { accept, "accept-encoding": "identity" };
  const viaHoldfast = () =>
    fetch(`${proxyUrl}${path}`, {
      headers: { ...headers, "user-agent": "conformance/v1 (admin)" },
      signal: AbortSignal.timeout(30_000),
    });
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = await answer(await admin.request("GET", path, undefined, headers));
    const via = await answer(await viaHoldfast());
    const after = await answer(await admin.request("GET", path, undefined, headers));
    if (difference(before, after) === undefined) return difference(before, via);
  }
  throw new Error(`${path}: the direct answers kept changing`);
}
