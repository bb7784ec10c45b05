/**
 * Write bodies, read whole before forwarding: a write that fails before reaching any upstream may
 * still be answered locally, which needs the body again (a stream can be read once). Bounded by
 * kube-apiserver's own limit, so holding it never costs more than the apiserver would accept.
 * @module
 */
import { concat } from "../../streams/concat.ts";
import { type Status, tooLarge } from "../../kube/status.ts";

/** kube-apiserver's limit on a request body (its `MaxRequestBodyBytes`, 3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/**
 * `request` with its body read into memory (so it can be sent and read again), or the 413 Status
 * kube-apiserver answers when the body is over `limit` bytes. A request without a body is
 * returned as it is.
 */
export async function withReplayableBody(
  request: Request,
  limit = MAX_REQUEST_BODY_BYTES,
): Promise<Request | Status> {
  if (!request.body) return request;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return tooLarge(`Request entity too large: limit is ${limit}`);
    }
    chunks.push(value);
  }
  return new Request(request, { body: concat(chunks) as Uint8Array<ArrayBuffer> });
}
