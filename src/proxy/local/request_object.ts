/**
 * The object in an offline write's body, read as kube-apiserver reads it before anything else: a
 * body in a format it does not take is `415 UnsupportedMediaType`, one that does not decode is
 * `400 BadRequest`. YAML, which kube-apiserver takes but holdfast cannot read, is `503`: the cloud
 * is needed to answer it.
 * @module
 */
import type { WireCodec } from "../../kube/codec.ts";
import { codecFor } from "../../kube/codecs.ts";
import {
  badRequest,
  serviceUnavailable,
  type Status,
  unsupportedMediaType,
} from "../../kube/status.ts";
import type { RawObject } from "../../kube/types.ts";
import { essenceOf } from "./accept.ts";

/** The media types kube-apiserver reads a request object from. */
const WRITE_MEDIA_TYPES = [
  "application/json",
  "application/yaml",
  "application/vnd.kubernetes.protobuf",
];

/** A decoded request object and the codec its body is in. */
export interface RequestObject {
  object: RawObject;
  codec: WireCodec;
}

/**
 * Decodes `body` (of `request`'s `Content-Type`, JSON when absent, as kube-apiserver assumes) as
 * one `resource` object, or the `Status` to answer instead.
 */
export function readRequestObject(
  request: Request,
  body: Uint8Array,
  resource: string,
  retryAfter: number,
): RequestObject | Status {
  const contentType = request.headers.get("content-type") ?? "application/json";
  const codec = codecFor(contentType);
  if (!codec) {
    const essence = essenceOf(contentType);
    if (!WRITE_MEDIA_TYPES.includes(essence)) return unsupportedMediaType(WRITE_MEDIA_TYPES);
    return serviceUnavailable(
      `holdfast cannot read a ${essence} ${resource} body offline`,
      retryAfter,
    );
  }
  try {
    return { object: codec.decodeObject(body, resource), codec };
  } catch (error) {
    return badRequest(`cannot decode the ${resource} object: ${(error as Error).message}`);
  }
}
