/**
 * Small helpers shared by the simulator's tests: JSON requests and a watch event reader.
 * @module
 */

/** A decoded JSON object. */
// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

/** GETs (or sends) `url` and returns the status, headers and decoded JSON body. */
export async function request(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

/** Sends a JSON body with `method` (PATCH bodies use `contentType`). */
export function send(
  url: string,
  method: string,
  body: unknown,
  contentType = "application/json",
): Promise<{ status: number; headers: Headers; body: Json }> {
  return request(url, {
    method,
    headers: { "content-type": contentType },
    body: JSON.stringify(body),
  });
}

/** Reads newline-delimited watch events from an open watch response. */
export class WatchReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(response: Response) {
    this.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event, or undefined at the end of the stream. */
  async next(): Promise<Json | undefined> {
    for (;;) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        if (line.trim()) return JSON.parse(line);
        continue;
      }
      const { done, value } = await this.#reader.read();
      if (done) return undefined;
      this.#buffer += value;
    }
  }

  /** The next `n` events. */
  async take(n: number): Promise<Json[]> {
    const events: Json[] = [];
    while (events.length < n) {
      const event = await this.next();
      if (!event) break;
      events.push(event);
    }
    return events;
  }

  /** Events until one satisfies `until` (included). */
  async until(until: (event: Json) => boolean): Promise<Json[]> {
    const events: Json[] = [];
    for (;;) {
      const event = await this.next();
      if (!event) return events;
      events.push(event);
      if (until(event)) return events;
    }
  }

  /** Stops reading and closes the connection. */
  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** Opens a watch at `url` (the `watch=true` parameter is the caller's). */
export async function openWatch(url: string, init: RequestInit = {}): Promise<WatchReader> {
  const response = await fetch(url, init);
  if (response.status !== 200) {
    throw new Error(`watch answered ${response.status}: ${await response.text()}`);
  }
  return new WatchReader(response);
}
