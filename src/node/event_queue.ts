/**
 * Events created while the cloud is unreachable, kept in Deno KV in arrival order for delivery
 * when it is back. The queue is bounded in count and bytes: when full, the oldest events make room
 * for new ones (recent events say more about the node's state). Delivery preserves order, drops an
 * event only when the cloud rejects it (4xx other than 409 and 429), and stops at the first event
 * it could not deliver, keeping it for the next attempt.
 *
 * Delivery is at least once, and the apiserver sees each event once: every queued event has a
 * stable name (a JSON event with only `generateName` is given one when queued), so an event sent
 * again after an answer was lost gets `409 AlreadyExists`, which counts as delivered.
 *
 * Items are numbered consecutively from `head` to `next - 1`; a meta record holding those bounds
 * and the totals is updated in the same atomic commit as the items, guarded by its versionstamp.
 * @module
 */
import {
  EVENT_QUEUE_META_KEY as META_KEY,
  eventQueueItemKey as itemKey,
  parseEventQueueItemKey,
} from "../cache/keys.ts";
import { pendingGenerateName, setJsonMetadata } from "../kube/json/edits.ts";

/** One queued event create: what to send, and where. */
export interface QueuedEvent {
  /** Request path with query, e.g. `/api/v1/namespaces/default/events`. */
  path: string;
  /** The request body's Content-Type. */
  contentType: string;
  /** The creating component's User-Agent, to be sent along on delivery. */
  userAgent: string;
  body: Uint8Array;
  /** When it was queued (ms since the epoch). */
  queuedAt: number;
}

/** The queue's bounds. */
export interface EventQueueLimits {
  maxEvents: number;
  maxBytes: number;
}

/** Sends one event to the cloud and returns the HTTP status; throws when unreachable. */
export type SendEvent = (event: QueuedEvent) => Promise<number>;

/** The outcome of one delivery run. */
export interface DeliveryReport {
  /** Events the cloud created, or already had (409 AlreadyExists: an earlier send got through). */
  delivered: number;
  /** Events the cloud refused with another 4xx (not 409 or 429), dropped. */
  rejected: number;
  /** Events still queued (delivery stopped at the first failure). */
  remaining: number;
}

/** Default bounds: enough for hours of a node's events, small next to the object cache. */
export const DEFAULT_EVENT_QUEUE_LIMITS: EventQueueLimits = {
  maxEvents: 2000,
  maxBytes: 4 * 1024 * 1024,
};

/** The largest event body queued (one KV value, with room for the other fields). */
export const MAX_EVENT_BYTES = 60 * 1024;

interface Meta {
  head: number;
  next: number;
  count: number;
  bytes: number;
}

const EMPTY: Meta = { head: 0, next: 0, count: 0, bytes: 0 };
/** Evictions per commit, below KV's 1000 mutations per atomic operation. */
const MAX_EVICTIONS = 900;

const encoder = new TextEncoder();

/**
 * `body` with a name when it is a JSON object with `metadata.generateName` but no name: the
 * generateName and a suffix derived from the body and `salt`, so the name is fixed from now on.
 * Any other body is returned as it is.
 */
export async function withStableName(
  body: Uint8Array,
  contentType: string,
  salt: string,
): Promise<Uint8Array> {
  if (!/^application\/json\b/i.test(contentType)) return body;
  // Not JSON: the cloud will answer it with 400 and it is dropped.
  const generateName = pendingGenerateName(body);
  if (generateName === undefined) return body;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new Uint8Array([...body, ...encoder.encode(salt)]),
  );
  const suffix = Array.from(new Uint8Array(digest).subarray(0, 5), (b) => (b % 36).toString(36))
    .join("");
  return setJsonMetadata(body, { name: generateName + suffix });
}

/** A persistent, bounded FIFO of event creates. */
export class EventQueue {
  #delivering?: Promise<DeliveryReport>;

  /** Uses `kv` (shared with the cache) under its own key prefix. */
  constructor(
    readonly kv: Deno.Kv,
    readonly limits: EventQueueLimits = DEFAULT_EVENT_QUEUE_LIMITS,
  ) {}

  /**
   * Appends `event` (named with {@linkcode withStableName}), evicting the oldest events when the
   * bounds require it; resolves to the number evicted. Throws a RangeError for a body larger
   * than {@link MAX_EVENT_BYTES}.
   */
  async enqueue(event: QueuedEvent): Promise<number> {
    if (event.body.byteLength > MAX_EVENT_BYTES) {
      const size = event.body.byteLength;
      throw new RangeError(`event body of ${size} bytes exceeds ${MAX_EVENT_BYTES} bytes`);
    }
    const named = await withStableName(event.body, event.contentType, String(event.queuedAt));
    const size = named.byteLength;
    for (;;) {
      const entry = await this.kv.get<Meta>(META_KEY);
      const meta = entry.value ?? EMPTY;
      const evicted = await this.#oldestToEvict(meta, size);
      const op = this.kv.atomic().check(entry);
      let { head, count, bytes } = meta;
      for (const item of evicted) {
        op.delete(itemKey(item.seq));
        head = item.seq + 1;
        count--;
        bytes -= item.size;
      }
      // A view would be stored with its whole backing buffer: store exactly the body's bytes.
      const body = named.byteLength === named.buffer.byteLength ? named : named.slice();
      op.set(itemKey(meta.next), { ...event, body });
      op.set(META_KEY, { head, next: meta.next + 1, count: count + 1, bytes: bytes + size });
      if ((await op.commit()).ok) return evicted.length;
    }
  }

  async #oldestToEvict(meta: Meta, size: number): Promise<{ seq: number; size: number }[]> {
    let count = meta.count + 1;
    let bytes = meta.bytes + size;
    if (count <= this.limits.maxEvents && bytes <= this.limits.maxBytes) return [];
    const evicted: { seq: number; size: number }[] = [];
    const items = this.kv.list<QueuedEvent>({ start: itemKey(meta.head), end: itemKey(meta.next) });
    for await (const item of items) {
      if (count <= this.limits.maxEvents && bytes <= this.limits.maxBytes) break;
      if (evicted.length === MAX_EVICTIONS) break;
      const seq = parseEventQueueItemKey(item.key)?.seq;
      if (seq === undefined) continue;
      const itemSize = item.value.body.byteLength;
      evicted.push({ seq, size: itemSize });
      count--;
      bytes -= itemSize;
    }
    return evicted;
  }

  /** How many events, and how many body bytes, are queued. */
  async stats(): Promise<{ count: number; bytes: number }> {
    const meta = (await this.kv.get<Meta>(META_KEY)).value ?? EMPTY;
    return { count: meta.count, bytes: meta.bytes };
  }

  /**
   * Sends the queued events in order through `send`, removing each one delivered (2xx, or 409:
   * the cloud has it already) or rejected (another 4xx but 429); stops at the first other answer
   * or failure and keeps that event. Calls made while a delivery runs join it.
   */
  deliverQueuedEvents(send: SendEvent): Promise<DeliveryReport> {
    this.#delivering ??= this.#deliver(send).finally(() => this.#delivering = undefined);
    return this.#delivering;
  }

  async #deliver(send: SendEvent): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, rejected: 0, remaining: 0 };
    for (;;) {
      const meta = (await this.kv.get<Meta>(META_KEY)).value ?? EMPTY;
      report.remaining = meta.count;
      if (meta.count === 0) return report;
      const item = await this.kv.get<QueuedEvent>(itemKey(meta.head));
      if (item.value) {
        let status: number;
        try {
          status = await send(item.value);
        } catch {
          return report;
        }
        if ((status >= 200 && status < 300) || status === 409) report.delivered++;
        else if (status >= 400 && status < 500 && status !== 429) report.rejected++;
        else return report;
      }
      await this.#remove(meta.head, item.value?.body.byteLength ?? 0);
    }
  }

  /** Removes item `seq` if it is still the head (an enqueue may have evicted it meanwhile). */
  async #remove(seq: number, size: number): Promise<void> {
    for (;;) {
      const entry = await this.kv.get<Meta>(META_KEY);
      const meta = entry.value ?? EMPTY;
      if (meta.head !== seq || meta.count === 0) return;
      const next = { ...meta, head: seq + 1, count: meta.count - 1, bytes: meta.bytes - size };
      const op = this.kv.atomic().check(entry).delete(itemKey(seq)).set(META_KEY, next);
      if ((await op.commit()).ok) return;
    }
  }
}
