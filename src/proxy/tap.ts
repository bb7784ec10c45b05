/**
 * A bounded tee for response bodies. Unlike `ReadableStream.tee()`, which lets a slow branch
 * buffer without limit, the client branch alone drives reading from upstream (so client
 * backpressure reaches the upstream), and the cache branch receives each chunk through a queue
 * capped in bytes. When the cap would be exceeded the cache branch errors with
 * {@linkcode CacheBranchOverflow} and receives nothing more; the client branch is never slowed,
 * errored or altered by the cache branch.
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

/** The two branches of a {@linkcode boundedTee}. */
export interface TeeBranches {
  /** What the client reads; reading it pulls from the source. */
  client: ReadableStream<Uint8Array>;
  /** What the cache reads; fed only as fast as the client reads. */
  cache: ReadableStream<Uint8Array>;
}

/**
 * Splits `source` into a client branch and a cache branch whose queue holds at most
 * `maxQueuedBytes`. Both are default (not byte) streams, because chunks are shared between them.
 */
export function boundedTee(
  source: ReadableStream<Uint8Array>,
  maxQueuedBytes: number,
): TeeBranches {
  const reader = source.getReader();
  let cacheController!: ReadableStreamDefaultController<Uint8Array>;
  let cacheOpen = true;

  const cache = new ReadableStream<Uint8Array>({
    start(controller) {
      cacheController = controller;
    },
    cancel() {
      cacheOpen = false;
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: maxQueuedBytes }));

  const closeCache = (error?: unknown) => {
    if (!cacheOpen) return;
    cacheOpen = false;
    if (error === undefined) cacheController.close();
    else cacheController.error(error);
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
        closeCache(error);
        controller.error(error);
        return;
      }
      if (result.done) {
        closeCache();
        controller.close();
        return;
      }
      feedCache(result.value);
      controller.enqueue(result.value);
    },
    cancel(reason) {
      closeCache(reason ?? new Error("client went away"));
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });

  return { client, cache };
}

/**
 * Passes `source` through unchanged, one chunk per client pull, reporting each chunk's size.
 * Without `onChunk` the source itself is returned.
 */
export function meteredStream(
  source: ReadableStream<Uint8Array>,
  onChunk?: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  if (!onChunk) return source;
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const result = await reader.read();
      if (result.done) return controller.close();
      onChunk(result.value.byteLength);
      controller.enqueue(result.value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
