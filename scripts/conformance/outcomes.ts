/**
 * Judging what the clients saw: whether an informer's cache equals what it should hold, and
 * whether every failed request is one holdfast documents (README, "Troubleshooting") or the
 * restart of holdfast explains.
 * @module
 */
import type { Nodeclient, NodeclientLine } from "./nodeclient.ts";

/** True for a watch request's URL. */
export function isWatch(url: string): boolean {
  return /[?&]watch=(true|1)(&|$)/.test(url);
}

/**
 * Where `held` differs from `want` (per informer, sorted `namespace/name@resourceVersion`), or
 * undefined when equal; informers in `byName` are compared without resourceVersions.
 */
export function sameState(
  held: Record<string, string[]>,
  want: Record<string, string[]>,
  byName: string[] = [],
): string | undefined {
  const strip = (keys: string[]) => keys.map((key) => key.slice(0, key.lastIndexOf("@")));
  const differences: string[] = [];
  for (const informer of Object.keys(want).sort()) {
    let a = held[informer] ?? [];
    let b = want[informer];
    if (byName.includes(informer)) [a, b] = [strip(a), strip(b)];
    if (a.join(",") !== b.join(",")) {
      differences.push(`${informer} holds [${a.join(", ")}], want [${b.join(", ")}]`);
    }
  }
  return differences.length ? differences.join("; ") : undefined;
}

/** A documented failure, by status and the kind of request. */
function documented(line: NodeclientLine): string | undefined {
  const url = line.url ?? "";
  const write = line.method !== "GET";
  switch (line.status) {
    case 404:
      return line.method === "GET" && url.includes("/leases/")
        ? "404 lease GET (created next)"
        : undefined;
    case 409:
      if (line.method === "POST" && url.startsWith("/api/v1/nodes")) {
        return "409 node registration (exists)";
      }
      return url.includes("/leases/") ? "409 lease update (re-read)" : undefined;
    case 410:
      return "410 Expired (relist)";
    case 429:
      return "429 TooManyRequests (retry)";
    case 503:
      return `503 ${write ? "write" : "read"} offline`;
    case 504:
      return `504 ${write ? "write outcome unknown" : "too large resource version"}`;
  }
  return undefined;
}

/** What the clients saw, judged. */
export interface OutcomeReport {
  /** One line per unexplained failure. */
  unexpected: string[];
  /** Counts of every documented failure kind. */
  summary: string;
}

/**
 * Judges every request line, informer watch error and fatal error: 2xx and documented statuses
 * pass; transport and watch errors pass only while holdfast was restarting (`restart`: from its
 * stop to `performance.now()` when the new one was up); nothing else does.
 */
export function classifyOutcomes(
  clients: Nodeclient[],
  windows: { restart: [number, number] },
): OutcomeReport {
  const counts = new Map<string, number>();
  const unexpected: string[] = [];
  const count = (kind: string) => counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const [down, up] = windows.restart;
  for (const client of clients) {
    for (const line of client.lines) {
      if (line.event === "fatal") unexpected.push(`${client.variant.name}: fatal: ${line.error}`);
      if (line.event === "watch-error") {
        const during = line.at >= down && line.at <= up;
        if (during) count("informer watch error while holdfast restarted");
        else unexpected.push(`${client.variant.name}: ${line.informer} watch error: ${line.error}`);
      }
      if (line.event !== "request") continue;
      if (line.error !== undefined) {
        if (line.at >= down && line.at <= up) count("transport error while holdfast restarted");
        else unexpected.push(`${client.variant.name}: ${line.method} ${line.url}: ${line.error}`);
        continue;
      }
      if (line.status! < 300) continue;
      const kind = documented(line);
      if (kind) count(kind);
      else unexpected.push(`${client.variant.name}: ${line.method} ${line.url}: ${line.status}`);
    }
  }
  const summary = counts.size
    ? [...counts].map(([kind, n]) => `${kind} ×${n}`).join(", ")
    : "no failed requests";
  return { unexpected, summary };
}
