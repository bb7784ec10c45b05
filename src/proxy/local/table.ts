/**
 * Offline Table renderings: a kubectl request asking `as=Table` is answered with the Table the
 * cloud sent for exactly that request, when one was kept; otherwise the caller answers with plain
 * objects, which kubectl also accepts (its Accept lists `application/json` last) and prints itself.
 * @module
 */
import { getDocument } from "../../cache/documents.ts";
import type { ResourceRequest } from "../classify.ts";
import type { LocalContext } from "./context.ts";

/** The stored Table for this request, as a response; null when none was kept. */
export async function storedTable(
  context: LocalContext,
  classified: ResourceRequest,
): Promise<Response | null> {
  if (!classified.table) return null;
  const document = await getDocument(context.kv, classified.table);
  if (!document) return null;
  const headers = new Headers({
    "content-type": document.contentType,
    "cache-control": "no-cache",
  });
  return new Response(document.bytes as Uint8Array<ArrayBuffer>, { status: 200, headers });
}
