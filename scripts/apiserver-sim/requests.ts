/**
 * What reached the simulator: a count per User-Agent, method and path, and a bounded log of the
 * latest requests with their query, client identity and answer code, so tests can prove what was
 * or was not sent upstream.
 * @module
 */

/** One request as the simulator saw it. */
export interface RequestRecord {
  /** Milliseconds since the epoch. */
  time: number;
  method: string;
  path: string;
  /** The query string without `?` ("" when none). */
  query: string;
  userAgent: string;
  /** `cert:<CN>`, `token`, or "" for an anonymous request. */
  identity: string;
  /** The HTTP status answered (0 when the connection was refused, hung or cut). */
  status: number;
}

/** How many requests came with one User-Agent, method and path. */
export interface RequestCount {
  userAgent: string;
  method: string;
  path: string;
  count: number;
}

/** Selects requests; strings match exactly, regular expressions by `test`. */
export interface RequestFilter {
  userAgent?: string | RegExp;
  method?: string;
  path?: string | RegExp;
}

function matches(pattern: string | RegExp | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === "string" ? pattern === value : pattern.test(value);
}

/** Request counters and log. */
export class RequestLog {
  readonly #counts = new Map<string, RequestCount>();
  readonly #recent: RequestRecord[] = [];
  readonly #limit: number;

  /** A log keeping the last `limit` requests (counts are unbounded). */
  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** Records one request. */
  record(record: RequestRecord): void {
    const key = `${record.userAgent}\n${record.method}\n${record.path}`;
    const count = this.#counts.get(key);
    if (count) count.count++;
    else {
      this.#counts.set(key, {
        userAgent: record.userAgent,
        method: record.method,
        path: record.path,
        count: 1,
      });
    }
    this.#recent.push(record);
    if (this.#recent.length > this.#limit) {
      this.#recent.splice(0, this.#recent.length - this.#limit);
    }
  }

  /** The counts matching `filter`. */
  counts(filter: RequestFilter = {}): RequestCount[] {
    return [...this.#counts.values()].filter((c) =>
      matches(filter.userAgent, c.userAgent) && matches(filter.method, c.method) &&
      matches(filter.path, c.path)
    ).map((c) => ({ ...c }));
  }

  /** The total count of requests matching `filter`. */
  count(filter: RequestFilter = {}): number {
    return this.counts(filter).reduce((n, c) => n + c.count, 0);
  }

  /** The latest requests matching `filter`, oldest first. */
  recent(filter: RequestFilter = {}): RequestRecord[] {
    return this.#recent.filter((r) =>
      matches(filter.userAgent, r.userAgent) && matches(filter.method, r.method) &&
      matches(filter.path, r.path)
    );
  }

  /** Forgets everything recorded. */
  reset(): void {
    this.#counts.clear();
    this.#recent.length = 0;
  }
}
