/**
 * The responses the offline path builds: cached objects in their stored format, and `Status`
 * errors in the client's negotiated format.
 * @module
 */
import { codecFor } from "../../kube/codecs.ts";
import { notAcceptable, serviceUnavailable, type Status } from "../../kube/status.ts";
import type { RawObject } from "../../kube/types.ts";
import { statusResponse } from "../respond.ts";
import { acceptRank, contentTypeOf } from "./accept.ts";

/** A cached object and the format its bytes are in. */
export interface EncodedObject extends RawObject {
  mediaType: string;
}

/** A `Status` answer to `request`. */
export function statusReply(request: Request, status: Status): Response {
  return statusResponse(status, request.headers.get("accept"));
}

/** 503 ServiceUnavailable with `Retry-After`: the cloud is needed to answer. */
export function unavailableReply(request: Request, message: string, retryAfter: number): Response {
  return statusReply(request, serviceUnavailable(message, retryAfter));
}

/**
 * `object` as a response body with HTTP `code`, if the client's Accept takes its format (for
 * `transform`); otherwise 406 NotAcceptable. Throws for a media type no codec handles.
 */
export function objectReply(
  request: Request,
  object: EncodedObject,
  code = 200,
  transform = "",
): Response {
  const accept = request.headers.get("accept");
  if (acceptRank(accept, object.mediaType, transform) < 0) {
    return statusReply(request, notAcceptable(contentTypeOf(object.mediaType, transform)));
  }
  const codec = codecFor(object.mediaType);
  if (!codec) throw new TypeError(`no codec for cached media type ${object.mediaType}`);
  const headers = new Headers({
    "content-type": contentTypeOf(codec.mediaType, transform),
    "cache-control": "no-cache",
  });
  return new Response(codec.encodeObject(object) as Uint8Array<ArrayBuffer>, {
    status: code,
    headers,
  });
}
