/**
 * When queued events are delivered: at once when the agent comes back online, and then every
 * `retryMs` while it is online, so an event queued while the agent counted as online (its request
 * failed before the health checks noticed) or left behind by a failed delivery is not stranded
 * until the next outage ends.
 * @module
 */
import type { DeliveryReport, EventQueue, SendEvent } from "../cache/event_queue.ts";

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
