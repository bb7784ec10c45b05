/**
 * Fills the agent's cache with a LIST read at an edge link's rate: the agent gives a LIST up
 * (marks it stale) when its cache branch falls too far behind the client, so this LISTs again
 * until the cache reports the whole LIST stored, a bounded number of times.
 * @module
 */
import { type AgentHandle, type AgentStatus, waitForStatus } from "./agent.ts";
import { listStored } from "./cache_status.ts";
import { clientHeaders, JSON_MEDIA, timedOk } from "./kube_client.ts";

/** LISTs tried before giving up. */
export const FILL_ATTEMPTS = 3;

/**
 * The rate the filling LISTs are read at, in bytes/s: 100 Mbit/s, a realistic edge link. Read at
 * loopback speed, a LIST of tens of MB outruns the agent's cache branch, which then overflows its
 * tee cap and gives the LIST up; a node behind a real link never reads that fast.
 */
export const FILL_READ_RATE = 100e6 / 8;

/** How long after a LIST ends the cache may take to report it stored. */
const STORE_WAIT_MS = 15_000;

/** The cache never held the whole LIST. */
export class CacheFillError extends Error {
  /** Says how often it was tried and what the agent reported last. */
  constructor(attempts: number, status: AgentStatus | undefined) {
    super(
      `the cache never held the whole LIST after ${attempts} LISTs ` +
        `(last /v1/status cache: ${JSON.stringify(status?.cache)})`,
    );
    this.name = "CacheFillError";
  }
}

/**
 * LISTs `path` through `agent` until the cache holds a complete LIST of at least `objects` pods;
 * returns how many LISTs that took.
 */
export async function fillCache(
  agent: AgentHandle,
  path: string,
  objects: number,
  accept = JSON_MEDIA,
): Promise<number> {
  let last: AgentStatus | undefined;
  for (let attempt = 1; attempt <= FILL_ATTEMPTS; attempt++) {
    await timedOk(`${agent.url}${path}`, clientHeaders(accept), { readRate: FILL_READ_RATE });
    try {
      await waitForStatus(
        agent,
        (status) => listStored(status, "pods", objects, accept),
        STORE_WAIT_MS,
      );
      return attempt;
    } catch {
      last = await agent.status();
    }
  }
  throw new CacheFillError(FILL_ATTEMPTS, last);
}
