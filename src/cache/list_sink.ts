/**
 * The sink of one LIST page response. A first page (no `continue` asked) starts a new generation
 * of the query; each later page joins the generation waiting for its continue token. The page
 * without a continue token switches the query to the generation. A page that fails (the proxy
 * gave up, the body broke) drops the whole listing and marks the query stale; a page cut by its
 * transport (`StreamCut`) or unreadable ({@linkcode ResponseCut}) drops the listing and keeps the
 * previous snapshot servable.
 * @module
 */
import type { ListPart } from "../kube/types.ts";
import { StreamCut } from "../streams/bounded_tee.ts";
import type { QueryIdentity } from "./query.ts";
import type { CacheWriter, Snapshot } from "./writer.ts";

/**
 * Abort reason for a response cut short by its transport (the link dropped, the client left) or
 * unreadable (a malformed or truncated body, which its client could not use either): the new
 * listing is dropped, but the previous snapshot stays servable, since nothing was lost from it.
 */
export class ResponseCut extends Error {
  /** Wraps what cut the response. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResponseCut";
  }
}

/** Whether an abort `reason` says the response was cut or unreadable (see {@link ResponseCut}). */
function isCut(reason: unknown): boolean {
  return reason instanceof ResponseCut || reason instanceof StreamCut;
}

/** A readable reason from a stream's abort reason. */
export function abortReason(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  return reason === undefined ? "aborted" : String(reason);
}

/** A sink storing one LIST page (`continueToken` is the request's `continue`, "" for page 1). */
export function createListSink(
  writer: CacheWriter,
  query: QueryIdentity,
  mediaType: string,
  continueToken: string,
): WritableStream<ListPart> {
  let snapshot: Snapshot | undefined;
  let pageContinue: string | undefined;
  return new WritableStream<ListPart>({
    async start() {
      snapshot = continueToken === ""
        ? await writer.beginSnapshot(query, mediaType, true)
        : writer.resumeSnapshot(query, continueToken);
    },
    async write(part) {
      if (!snapshot) return;
      if (part.type === "meta") {
        pageContinue = part.meta.continue;
        snapshot.meta ??= part.meta;
        return;
      }
      await writer.addItem(snapshot, part.object);
    },
    async close() {
      if (!snapshot || snapshot.abandoned) return;
      if (pageContinue === undefined || !snapshot.meta) {
        writer.abandon(snapshot);
        await writer.markStale(query, "list response without list metadata");
      } else if (pageContinue !== "") {
        writer.expectPage(snapshot, pageContinue);
      } else {
        await writer.commitSnapshot(snapshot, snapshot.meta);
      }
      await writer.sync();
    },
    async abort(reason) {
      if (!snapshot) return;
      writer.abandon(snapshot);
      if (!isCut(reason)) await writer.markStale(query, abortReason(reason));
      await writer.sync();
    },
  });
}
