/**
 * Request faults injected on demand: delay, hang (accept and never answer), an HTTP error with a
 * `Status` body, and a malformed or truncated body. Each rule may be limited to matching requests
 * and to a number of uses. (Link down/up and cutting watches act on the server, see `server.ts`.)
 * @module
 */

/** Which requests a rule applies to; every given field must match. */
export interface FaultMatch {
  /** A substring of the request's path and query (`/api/v1/pods?watch=1`). */
  path?: string;
  method?: string;
  /** A substring of the User-Agent. */
  userAgent?: string;
  /** Only watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
}

/** One fault rule, as given to the handle or POSTed to the control API. */
export type FaultRule =
  & { match?: FaultMatch; count?: number }
  & (
    | { kind: "delay"; ms: number }
    | { kind: "hang" }
    | { kind: "error"; code: number; retryAfterSeconds?: number }
    | { kind: "malformed" }
    | { kind: "truncated" }
  );

/** A rule with its id and remaining uses. */
export type ActiveFault = FaultRule & { id: number };

/** The request facts a rule matches against. */
export interface FaultSubject {
  method: string;
  pathAndQuery: string;
  userAgent: string;
  watch: boolean;
}

/** The active fault rules. */
export class Faults {
  #rules: ActiveFault[] = [];
  #next = 1;
  #hung = new Set<() => void>();

  /** Adds a rule; returns its id. */
  add(rule: FaultRule): number {
    validate(rule);
    const id = this.#next++;
    this.#rules.push({ ...rule, id });
    return id;
  }

  /** Removes one rule, or all rules when `id` is omitted; hung requests are released. */
  clear(id?: number): void {
    this.#rules = id === undefined ? [] : this.#rules.filter((r) => r.id !== id);
    if (!this.#rules.some((r) => r.kind === "hang")) this.release();
  }

  /** The active rules. */
  list(): ActiveFault[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  /** The first rule of `kind` matching `subject`, using up one of its uses. */
  take<K extends FaultRule["kind"]>(
    kind: K,
    subject: FaultSubject,
  ): Extract<ActiveFault, { kind: K }> | undefined {
    const rule = this.#rules.find((r) => r.kind === kind && applies(r.match, subject));
    if (!rule) return undefined;
    if (rule.count !== undefined) {
      rule.count--;
      if (rule.count <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    }
    return rule as Extract<ActiveFault, { kind: K }>;
  }

  /** Waits until released (rule cleared, link down, close) or `signal` aborts. */
  hang(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#hung.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#hung.add(done);
      signal.addEventListener("abort", done);
    });
  }

  /** Releases every hung request. */
  release(): void {
    for (const done of [...this.#hung]) done();
  }
}

function applies(match: FaultMatch | undefined, subject: FaultSubject): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method !== subject.method) return false;
  if (match.path !== undefined && !subject.pathAndQuery.includes(match.path)) return false;
  if (match.userAgent !== undefined && !subject.userAgent.includes(match.userAgent)) return false;
  if (match.watch !== undefined && match.watch !== subject.watch) return false;
  return true;
}

function validate(rule: FaultRule): void {
  const kinds = ["delay", "hang", "error", "malformed", "truncated"];
  if (!kinds.includes(rule.kind)) throw new TypeError(`unknown fault kind "${rule.kind}"`);
  if (rule.kind === "delay" && !(rule.ms >= 0)) throw new TypeError("delay needs ms >= 0");
  if (rule.kind === "error" && !(rule.code >= 400 && rule.code <= 599)) {
    throw new TypeError("error needs a code from 400 to 599");
  }
  if (rule.count !== undefined && !(rule.count >= 1)) throw new TypeError("count must be >= 1");
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  410: "Expired",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** The Status reason kube-apiserver uses with HTTP `code`. */
export function reasonFor(code: number): string {
  return REASONS[code] ?? (code >= 500 ? "InternalError" : "BadRequest");
}

const encoder = new TextEncoder();

/** A body that is not valid JSON (but starts like an object). */
export const MALFORMED_BODY = encoder.encode('{"kind":"Status","apiVersion":\u0000<<malformed>>');

/** `body` passed through up to about half of its first chunk, then the connection is cut. */
export function truncate(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      await reader.cancel();
      if (!done && value.length > 1) controller.enqueue(value.slice(0, value.length >> 1));
      controller.error(new Error("body truncated by fault injection"));
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** `body` with a malformed frame first (for watch streams). */
export function prependMalformed(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        first = false;
        controller.enqueue(encoder.encode('{"type":"MODIFIED","object":{"kind":<<malformed>>}\n'));
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
