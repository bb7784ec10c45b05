/**
 * When queued events are delivered: at once when the agent comes back online, and then every
 * `retryMs` while it is online, so an event queued while the agent counted as online (its request
 * failed before the health checks noticed) or left behind by a failed delivery is not stranded
 * until the next outage ends. Events are sent as the node, to a healthy upstream server, under its
 * path prefix (`upstream/url.ts`).
 * @module
 */
import type { UpstreamIdentity } from "../upstream/identity.ts";
import type { UpstreamPool } from "../upstream/pool.ts";
import { splitTarget, targetProblem } from "../kube/request_path.ts";
import { upstreamUrl } from "../upstream/url.ts";
import type { DeliveryReport, EventQueue, QueuedEvent, SendEvent } from "./event_queue.ts";

/** What drives delivery. */
export interface EventDeliveryOptions {
  /** Whether the cloud is reachable now. */
  online: () => boolean;
  /** How often to look for waiting events while online. */
  retryMs: number;
  /** Told the outcome of each run that delivered or rejected something. */
  onReport?: (report: DeliveryReport) => void;
  /** Told when a run stopped on an error. */
  onError?: (error: unknown) => void;
}

/** A running delivery loop. */
export interface EventDelivery {
  /** Delivers now (joins a run in progress). */
  deliver(): Promise<void>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Starts delivering `queue` through `send` (see the module doc for when). */
export function startEventDelivery(
  queue: EventQueue,
  send: SendEvent,
  options: EventDeliveryOptions,
): EventDelivery {
  let running: Promise<void> | undefined;
  const deliver = () =>
    running ??= queue.deliverQueuedEvents(send)
      .then((report) => {
        if (report.delivered || report.rejected) options.onReport?.(report);
      })
      .catch((error) => options.onError?.(error))
      .finally(() => (running = undefined));
  const timer = setInterval(() => {
    if (options.online()) deliver();
  }, options.retryMs);
  Deno.unrefTimer(timer);
  return {
    deliver,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** What sending a queued event upstream needs. */
export interface EventSenderDeps {
  pool: UpstreamPool;
  /** The node's fetch client and token, current as of each send. */
  identity: UpstreamIdentity;
  /** How long to wait for the upstream's response headers. */
  headerTimeoutMs: number;
}

/** Sends queued events to a healthy upstream server as the node. */
export function upstreamEventSender(deps: EventSenderDeps): SendEvent {
  const { pool, identity } = deps;
  return async (event: QueuedEvent): Promise<number> => {
    // Queued by an older holdfast that did not check paths: rejected like a 400, never sent.
    if (targetProblem(event.path)) return 400;
    const server = pool.pick();
    if (!server) throw new Error("no upstream server is healthy");
    const headers = new Headers({
      "content-type": event.contentType,
      "user-agent": event.userAgent,
    });
    const authorization = identity.nodeAuthorization;
    if (authorization) headers.set("authorization", authorization);
    const { path, search } = splitTarget(event.path);
    const response = await fetch(upstreamUrl(server.url, path, search), {
      method: "POST",
      headers,
      body: event.body as Uint8Array<ArrayBuffer>,
      client: identity.nodeClient,
      signal: AbortSignal.timeout(deps.headerTimeoutMs),
    });
    await response.body?.cancel();
    return response.status;
  };
}
