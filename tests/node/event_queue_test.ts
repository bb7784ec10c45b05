import assert from "node:assert/strict";
import { EventQueue, MAX_EVENT_BYTES, type QueuedEvent } from "../../src/node/event_queue.ts";

function event(n: number, size = 10): QueuedEvent {
  const body = new Uint8Array(size).fill(n % 256);
  return {
    path: `/api/v1/namespaces/default/events?n=${n}`,
    contentType: "application/json",
    userAgent: "kubelet/v1.36",
    body,
    queuedAt: 1000 + n,
  };
}

/** A send that records the paths and answers from `codes` (then 201). */
function recorder(codes: (number | Error)[] = []) {
  const sent: string[] = [];
  const send = (e: QueuedEvent) => {
    sent.push(e.path);
    const code = codes.shift() ?? 201;
    return code instanceof Error ? Promise.reject(code) : Promise.resolve(code);
  };
  return { sent, send };
}

Deno.test("event queue: events are delivered in the order they were queued", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  for (let i = 0; i < 5; i++) await queue.enqueue(event(i));
  const { sent, send } = recorder();
  const report = await queue.deliverQueuedEvents(send);
  assert.deepEqual(sent, [0, 1, 2, 3, 4].map((i) => event(i).path));
  assert.deepEqual(report, { delivered: 5, rejected: 0, remaining: 0 });
  assert.deepEqual(await queue.stats(), { count: 0, bytes: 0 });
});

Deno.test("event queue: a 4xx drops the event and delivery goes on", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  for (let i = 0; i < 3; i++) await queue.enqueue(event(i));
  const { sent, send } = recorder([201, 422, 201]);
  const report = await queue.deliverQueuedEvents(send);
  assert.deepEqual(sent.length, 3);
  assert.deepEqual(report, { delivered: 2, rejected: 1, remaining: 0 });
});

Deno.test("event queue: a 5xx stops delivery and keeps that event first", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  for (let i = 0; i < 3; i++) await queue.enqueue(event(i));
  const first = recorder([201, 503]);
  const report = await queue.deliverQueuedEvents(first.send);
  assert.deepEqual(report, { delivered: 1, rejected: 0, remaining: 2 });
  const again = recorder();
  await queue.deliverQueuedEvents(again.send);
  assert.deepEqual(again.sent, [1, 2].map((i) => event(i).path));
});

Deno.test("event queue: 429 and a network failure keep the event", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  await queue.enqueue(event(0));
  assert.deepEqual((await queue.deliverQueuedEvents(recorder([429]).send)).remaining, 1);
  assert.deepEqual(
    (await queue.deliverQueuedEvents(recorder([new TypeError("refused")]).send)).remaining,
    1,
  );
  assert.deepEqual((await queue.deliverQueuedEvents(recorder().send)).delivered, 1);
});

Deno.test("event queue: when the count bound is reached the oldest events are evicted", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv, { maxEvents: 3, maxBytes: 1 << 20 });
  let evicted = 0;
  for (let i = 0; i < 5; i++) evicted += await queue.enqueue(event(i));
  assert.deepEqual(evicted, 2);
  const { sent, send } = recorder();
  await queue.deliverQueuedEvents(send);
  assert.deepEqual(sent, [2, 3, 4].map((i) => event(i).path));
});

Deno.test("event queue: the byte bound evicts as many old events as needed", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv, { maxEvents: 100, maxBytes: 300 });
  for (let i = 0; i < 3; i++) await queue.enqueue(event(i, 100));
  assert.deepEqual(await queue.enqueue(event(3, 250)), 3);
  assert.deepEqual(await queue.stats(), { count: 1, bytes: 250 });
});

Deno.test("event queue: the queue survives reopening the KV file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    {
      using kv = await Deno.openKv(path);
      const queue = new EventQueue(kv);
      await queue.enqueue(event(0));
      await queue.enqueue(event(1));
    }
    using kv = await Deno.openKv(path);
    const { sent, send } = recorder();
    await new EventQueue(kv).deliverQueuedEvents(send);
    assert.deepEqual(sent, [event(0).path, event(1).path]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("event queue: an event queued during delivery is delivered after the earlier ones", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  await queue.enqueue(event(0));
  const sent: string[] = [];
  await queue.deliverQueuedEvents(async (e) => {
    sent.push(e.path);
    if (sent.length === 1) await queue.enqueue(event(1));
    return 201;
  });
  assert.deepEqual(sent, [event(0).path, event(1).path]);
});

Deno.test("event queue: concurrent delivery calls send each event once", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  for (let i = 0; i < 4; i++) await queue.enqueue(event(i));
  const { sent, send } = recorder();
  await Promise.all([queue.deliverQueuedEvents(send), queue.deliverQueuedEvents(send)]);
  assert.deepEqual(sent.length, 4);
});

Deno.test("event queue: an oversized event body is refused", async () => {
  using kv = await Deno.openKv(":memory:");
  await assert.rejects(() => new EventQueue(kv).enqueue(event(0, MAX_EVENT_BYTES + 1)), RangeError);
});

Deno.test("event queue: a body that is a view into a larger buffer stores only its own bytes", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  const big = new Uint8Array(200 * 1024).fill(120);
  const body = big.subarray(1000, 1100);
  await queue.enqueue({
    path: "/api/v1/namespaces/a/events",
    contentType: "application/json",
    userAgent: "kubelet",
    body,
    queuedAt: 1,
  });
  const sent: Uint8Array[] = [];
  await queue.deliverQueuedEvents((e) => {
    sent.push(e.body);
    return Promise.resolve(201);
  });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].byteLength, 100);
});

/**
 * A fake apiserver's event create: names a `generateName` event at random as kube-apiserver does,
 * answers 409 for a name it has, and loses its answer (after creating) when `lose()` says so.
 */
function apiserver(lose: () => boolean) {
  const created = new Map<string, string>();
  const send = (e: QueuedEvent) => {
    const event = JSON.parse(new TextDecoder().decode(e.body));
    const name = event.metadata.name || event.metadata.generateName + crypto.randomUUID();
    if (created.has(name)) return Promise.resolve(409);
    created.set(name, event.message);
    return lose() ? Promise.reject(new TypeError("connection reset")) : Promise.resolve(201);
  };
  return { created, send };
}

function generatedEvent(message: string, queuedAt: number): QueuedEvent {
  const body = { kind: "Event", metadata: { generateName: "node-0." }, message };
  return {
    path: "/api/v1/namespaces/default/events",
    contentType: "application/json",
    userAgent: "kubelet/v1.36",
    body: new TextEncoder().encode(JSON.stringify(body)),
    queuedAt,
  };
}

Deno.test("event queue: an event sent again after its answer was lost is created once", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new EventQueue(kv);
  await queue.enqueue(generatedEvent("pulled", 1));
  let answers = 0;
  const server = apiserver(() => answers++ === 0);
  assert.deepEqual(await queue.deliverQueuedEvents(server.send), {
    delivered: 0,
    rejected: 0,
    remaining: 1,
  });
  assert.deepEqual(await queue.deliverQueuedEvents(server.send), {
    delivered: 1,
    rejected: 0,
    remaining: 0,
  });
  assert.deepEqual([...server.created.values()], ["pulled"]);
  assert.match([...server.created.keys()][0], /^node-0\.[0-9a-z]{5}$/);
});

Deno.test("event queue: 300 seeded runs of lost answers deliver every event exactly once", async () => {
  let seed = 0x1e7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let run = 0; run < 300; run++) {
    using kv = await Deno.openKv(":memory:");
    const queue = new EventQueue(kv);
    const messages = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => `e${i}`);
    for (const [i, message] of messages.entries()) {
      await queue.enqueue(generatedEvent(message, 1000 + i));
    }
    const server = apiserver(() => random() < 0.4);
    for (let attempt = 0; attempt < 100 && (await queue.stats()).count > 0; attempt++) {
      await queue.deliverQueuedEvents(server.send);
    }
    assert.deepEqual([...server.created.values()], messages, `run ${run}`);
  }
});
