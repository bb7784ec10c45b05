/**
 * The wire formats holdfast understands, chosen by media type. Pure.
 * @module
 */
import type { WireCodec } from "./codec.ts";
import { jsonCodec } from "./json/codec.ts";
import { isJson, isProtobuf, negotiate } from "./media_type.ts";
import { protobufCodec } from "./protobuf/codec.ts";

/** Every codec, in holdfast's order of preference when the client accepts several. */
export const CODECS: readonly WireCodec[] = [jsonCodec, protobufCodec];

/** The codec that reads a body of `contentType`, if holdfast understands it. */
export function codecFor(contentType: string | null): WireCodec | undefined {
  if (isJson(contentType)) return jsonCodec;
  if (isProtobuf(contentType)) return protobufCodec;
  return undefined;
}

/**
 * The codec for a locally made answer: the first type in `accept` holdfast can produce among
 * `available` media types (all codecs when omitted); undefined means 406.
 */
export function negotiateCodec(
  accept: string | null,
  available: readonly string[] = CODECS.map((c) => c.mediaType),
): WireCodec | undefined {
  const chosen = negotiate(accept, available);
  return chosen === null ? undefined : codecFor(chosen);
}
