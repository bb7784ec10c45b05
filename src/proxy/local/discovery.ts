/**
 * Offline discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>` and the
 * aggregated forms (`as=APIGroupDiscoveryList` in Accept) answered from the documents stored while
 * online. A client asking for aggregated discovery that also accepts the plain document gets the
 * plain one when only that was stored, as from a server without aggregation; what a document is
 * (plain or aggregated) is read from its stored Content-Type. Never stored: 503.
 * @module
 */
import { getDocument } from "../../cache/documents.ts";
import { transformOf } from "../../kube/media_type.ts";
import { notAcceptable } from "../../kube/status.ts";
import type { DiscoveryRequest } from "../classify.ts";
import { acceptRank, essenceOf } from "./accept.ts";
import type { LocalContext } from "./context.ts";
import { statusReply, unavailableReply } from "./reply.ts";

/** The document key of a discovery request path (no trailing slash, "/" for the root). */
function documentPath(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}

/** Answers a discovery request from the stored documents. */
export async function answerDiscovery(
  context: LocalContext,
  request: Request,
  classified: DiscoveryRequest,
): Promise<Response> {
  const accept = request.headers.get("accept");
  const path = classified.discovery?.path ?? documentPath(classified.info.path);
  const wanted = transformOf(accept);
  const transforms = wanted === "" ? [""] : [wanted, ""];
  let refused: string | undefined;
  for (const transform of transforms) {
    const document = await getDocument(context.kv, { path, transform });
    if (!document) continue;
    if (acceptRank(accept, document.contentType, transformOf(document.contentType)) < 0) {
      refused ??= document.contentType;
      continue;
    }
    const headers = new Headers({
      "content-type": document.contentType,
      "cache-control": "no-cache",
    });
    return new Response(document.bytes as Uint8Array<ArrayBuffer>, { status: 200, headers });
  }
  if (refused !== undefined) return statusReply(request, notAcceptable(essenceOf(refused)));
  return unavailableReply(
    request,
    `holdfast has no copy of ${path} and the cloud is unreachable`,
    context.retryAfter,
  );
}
