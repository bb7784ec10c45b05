/**
 * The proxy's side of the cache branch: names what a cacheable response is for the cache (its
 * {@linkcode IngestTarget}) and hands the branch to the cache ingest. Failures there never reach
 * the client: they are counted and logged at debug level.
 * @module
 */
import { ingestResponse, type IngestTarget } from "../../cache/ingest/response.ts";
import type { CacheStore } from "../../cache/store.ts";
import type { Logger } from "../../log/logger.ts";
import type { Cacheable } from "../classify.ts";
import type { StreamCut } from "../../streams/bounded_tee.ts";

/**
 * Receives the cache branch of a cacheable 2xx response (a stream, or the whole body already read)
 * and how its stream ended (`cut`, see `TeeBranches`); settles (never rejects) once the response
 * is stored or given up on.
 */
export type CacheBranchSink = (
  classified: Cacheable,
  response: Response,
  body: ReadableStream<Uint8Array> | Uint8Array,
  cut: Promise<StreamCut | undefined>,
) => Promise<void>;

/** Builds the sink that stores cacheable responses in `store`. */
export function storeCacheBranch(
  store: CacheStore,
  logger: Logger,
  onDrop: (reason: string) => void,
): CacheBranchSink {
  return async (classified, response, body, cut) => {
    try {
      const contentType = response.headers.get("content-type");
      await ingestResponse(store, body, ingestTarget(classified), { contentType, cut });
    } catch (error) {
      const reason = error instanceof Error ? error.name : "error";
      onDrop(reason);
      logger.debug("cache gave up on a response", {
        path: classified.url.pathname,
        component: classified.component,
        error,
      });
    }
  };
}

/** What a cacheable response (one with a query or a discovery document) is, for the cache. */
function ingestTarget(classified: Cacheable): IngestTarget {
  if (classified.kind === "discovery") return { kind: "discovery", document: classified.discovery };
  const { info, query } = classified;
  if (classified.table) {
    return { kind: "table", document: classified.table, resource: info.resource };
  }
  if (classified.kind === "list") {
    return { kind: "list", query, continueToken: classified.listOptions.continue };
  }
  if (classified.kind === "watch") {
    const { listOptions } = classified;
    return {
      kind: "watch",
      query,
      initialEvents: listOptions.sendInitialEvents === true,
      since: listOptions.resourceVersion,
    };
  }
  return { kind: "object", query };
}
