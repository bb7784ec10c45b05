/**
 * Bounds on concurrent work: a number of slots, taken without waiting (beyond the bound the
 * request is refused with 429, as kube-apiserver's max-in-flight filter does) and given back once
 * the response body has been sent, cut or cancelled.
 * @module
 */

/** A fixed number of slots for one kind of request. */
export class Slots {
  #inUse = 0;

  /** Slots for at most `limit` requests at once. */
  constructor(readonly limit: number) {}

  /** Slots taken now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Takes a slot; returns its release function (idempotent), or undefined when none is free. */
  tryTake(): (() => void) | undefined {
    if (this.#inUse >= this.limit) return undefined;
    this.#inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
    };
  }
}

/** `response` with a body that calls `release` once it has ended, failed or been cancelled. */
export function releaseWhenDone(response: Response, release: () => void): Response {
  if (!response.body) {
    release();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        release();
        return controller.error(error);
      }
      if (!result.done) return controller.enqueue(result.value);
      release();
      controller.close();
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return new Response(body, response);
}
