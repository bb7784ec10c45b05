/**
 * Locally made responses, shaped as kube-apiserver shapes them: `Status` errors in the client's
 * negotiated format with the matching HTTP code and `Retry-After` where the status carries one.
 * @module
 */
import { jsonCodec } from "../kube/json/codec.ts";
import { negotiateCodec } from "../kube/codecs.ts";
import type { Status } from "../kube/status.ts";

/** A `Status` response in the format the client accepts (JSON when it accepts nothing we make). */
export function statusResponse(status: Status, accept: string | null): Response {
  const codec = negotiateCodec(accept) ?? jsonCodec;
  const headers = new Headers({ "content-type": codec.mediaType, "cache-control": "no-cache" });
  const retryAfter = status.details?.retryAfterSeconds;
  if (retryAfter !== undefined) headers.set("retry-after", String(retryAfter));
  const body = codec.encodeStatus(status) as Uint8Array<ArrayBuffer>;
  return new Response(body, { status: status.code, headers });
}
