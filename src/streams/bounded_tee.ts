/**
 * A bounded tee for byte streams (in holdfast, an upstream response body). Unlike
 * `ReadableStream.tee()`, which lets a slow branch buffer without limit, the client branch alone
 * drives reading from the source (so client backpressure reaches the source), and the cache branch
 * receives each chunk through a queue capped in bytes. When the cap would be exceeded the cache
 * branch errors with {@linkcode CacheBranchOverflow} and receives nothing more; the client branch
 * is never slowed, errored or altered by the cache branch. When the stream is cut (the source
 * fails or the client goes away) the cache branch receives what was already queued and then ends
 * cleanly; the cut is reported on its own ({@linkcode TeeBranches.cut}), so the cache branch's
 * reader can consume every chunk the client saw before deciding what the cut means.
 * @module
 */

/** The cache branch fell behind by more than the cap and was given up. */
export class CacheBranchOverflow extends Error {
  /** Builds the error naming the cap. */
  constructor(readonly maxQueuedBytes: number) {
    super(`cache branch fell behind by more than ${maxQueuedBytes} bytes`);
    this.name = "CacheBranchOverflow";
  }
}

/** The stream ended early: the upstream failed or the client went away (`cause` says which). */
export class StreamCut extends Error {
  /** Wraps the upstream error or the client's cancel reason. */
  constructor(cause: unknown) {
    super(`stream cut: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "StreamCut";
  }
}

/** The two branches of a {@linkcode boundedTee}. */
export interface TeeBranches {
  /** What the client reads; reading it pulls from the source. */
  client: ReadableStream<Uint8Array>;
  /**
   * What the cache reads; fed only as fast as the client reads. It ends cleanly when the source
   * ends or is cut, and errors only with {@linkcode CacheBranchOverflow}.
   */
  cache: ReadableStream<Uint8Array>;
  /**
   * Settles when the source is done: with the {@linkcode StreamCut} that ended it (the upstream
   * failed or the client went away), or `undefined` when it ended by itself.
   */
  cut: Promise<StreamCut | undefined>;
}

/**
 * Splits `source` into a client branch and a cache branch whose queue holds at most
 * `maxQueuedBytes`. Both are default (not byte) streams, because chunks are shared between them.
 * `onChunk` is told the size of each chunk read from `source` (so a metered source needs no
 * stream of its own).
 */
export function boundedTee(
  source: ReadableStream<Uint8Array>,
  maxQueuedBytes: number,
  onChunk?: (bytes: number) => void,
): TeeBranches {
  const reader = source.getReader();
  let cacheController!: ReadableStreamDefaultController<Uint8Array>;
  let cacheOpen = true;
  const { promise: cut, resolve: reportCut } = Promise.withResolvers<StreamCut | undefined>();

  const cache = new ReadableStream<Uint8Array>({
    start(controller) {
      cacheController = controller;
    },
    cancel() {
      cacheOpen = false;
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: maxQueuedBytes }));

  const closeCache = (error?: CacheBranchOverflow) => {
    if (!cacheOpen) return;
    cacheOpen = false;
    if (error === undefined) cacheController.close(); // after what is queued has been read
    else cacheController.error(error);
  };

  const end = (streamCut?: StreamCut) => {
    reportCut(streamCut);
    closeCache();
  };

  const feedCache = (chunk: Uint8Array) => {
    if (!cacheOpen) return;
    if ((cacheController.desiredSize ?? 0) < chunk.byteLength) {
      closeCache(new CacheBranchOverflow(maxQueuedBytes));
      return;
    }
    cacheController.enqueue(chunk);
  };

  const client = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        end(new StreamCut(error));
        controller.error(error);
        return;
      }
      if (result.done) {
        end();
        controller.close();
        return;
      }
      onChunk?.(result.value.byteLength);
      feedCache(result.value);
      controller.enqueue(result.value);
    },
    cancel(reason) {
      end(new StreamCut(reason ?? "client went away"));
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });

  return { client, cache, cut };
}
