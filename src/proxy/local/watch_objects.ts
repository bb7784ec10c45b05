/**
 * The objects an offline watch sends besides cached ones, besides BOOKMARKs (which the codec
 * makes, see `WireCodec.bookmark`): the `Status` of an ERROR event, in the watch's wire format.
 * @module
 */
import type { WireCodec } from "../../kube/codec.ts";
import type { Status } from "../../kube/status.ts";
import type { RawObject } from "../../kube/types.ts";

/** `status` as the object of an ERROR event in `codec`'s format. */
export function statusObject(codec: WireCodec, status: Status): RawObject {
  return codec.decodeObject(codec.encodeStatus(status), "status");
}
