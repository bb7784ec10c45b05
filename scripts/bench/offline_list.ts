/**
 * Offline LIST: a large pod LIST (JSON, then protobuf) answered by the agent from its cache after
 * the simulator's link is cut, against the same LIST online through the agent in the same run.
 * Each format fills the cache itself (the cache keeps one format per query), then the link is
 * cut; timed as sequential requests read to the last byte. Target: offline ≥ 2× faster.
 * YurtHub's cell: the same offline LIST through YurtHub (heartbeat every second, so it notices the
 * cut quickly), after the same LISTs online through it filled its disk cache.
 * @module
 */
import { type AgentHandle, startAgent, waitForStatus } from "./lib/agent.ts";
import { CacheFillError, fillCache } from "./lib/cache_fill.ts";
import { clientHeaders, JSON_MEDIA, PROTOBUF_MEDIA, timedGet, timedOk } from "./lib/kube_client.ts";
import type { BenchContext, Measure, Measured, RecordRow, RowPlan } from "./lib/measure.ts";
import { formatNumber } from "./lib/report.ts";
import { type SimulatorHandle, startSimulator } from "./lib/simulator.ts";
import { spread } from "./lib/stats.ts";
import {
  type HubSession,
  measureHub,
  type RecordHub,
  startHubSession,
  waitForHubCache,
  waitForHubHealth,
} from "./lib/yurthub.ts";

const MEDIA = [
  { key: "json", label: "JSON", accept: JSON_MEDIA },
  { key: "protobuf", label: "protobuf", accept: PROTOBUF_MEDIA },
] as const;

function plan(ctx: BenchContext): RowPlan[] {
  const pods = formatNumber(ctx.sizes.listPods);
  return MEDIA.map((media) => ({
    id: `offline.list.${media.key}`,
    metric: `${pods}-pod LIST (${media.label}) offline from cache, p50`,
    target: "≥ 2× faster than online",
    peer: true,
  }));
}

interface Timing {
  p50Ms: number;
  p99Ms: number;
  bytes: number;
}

async function timeLists(url: string, accept: string, count: number): Promise<Timing> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const timed = await timedOk(url, clientHeaders(accept));
    if (!timed.contentType.startsWith(accept)) {
      throw new Error(`asked for ${accept}, got ${timed.contentType || "no content type"}`);
    }
    samples.push(timed.ms);
    bytes = timed.bytes;
  }
  const { p50, p99 } = spread(samples);
  return { p50Ms: p50, p99Ms: p99, bytes };
}

/** Online, then offline, LISTs of one media type (the cache is refilled in that format). */
async function measureMedia(
  ctx: BenchContext,
  sim: SimulatorHandle,
  agent: AgentHandle,
  media: typeof MEDIA[number],
  record: RecordRow,
): Promise<void> {
  const id = `offline.list.${media.key}`;
  const pods = ctx.sizes.listPods;
  const count = ctx.sizes.offlineRequests;
  const url = `${agent.url}/api/v1/pods`;
  await sim.setLink(true);
  await waitForStatus(agent, (status) => status.mode === "online", 30_000);
  let online: Timing;
  try {
    await timedOk(url, clientHeaders(media.accept));
    online = await timeLists(url, media.accept, count);
  } catch (error) {
    record(id, { note: `online LIST failed: ${(error as Error).message}` });
    return;
  }
  const baseline = { name: "online via holdfast", ...timing(online) };
  try {
    await fillCache(agent, "/api/v1/pods", pods, media.accept);
  } catch (error) {
    if (!(error instanceof CacheFillError)) throw error;
    record(id, { baseline, note: error.message });
    return;
  }
  await sim.setLink(false);
  await waitForStatus(agent, (status) => status.mode === "offline", 30_000);
  let offline: Timing;
  try {
    offline = await timeLists(url, media.accept, count);
  } catch (error) {
    const probe = await timedGet(url, clientHeaders(media.accept));
    record(id, {
      baseline,
      note: `offline LIST failed (HTTP ${probe.status}): ${(error as Error).message}`,
    });
    return;
  }
  const ratio = online.p50Ms / offline.p50Ms;
  record(id, {
    holdfast: timing(offline),
    baseline,
    ratio,
    met: ratio >= 2,
    note: `${count} sequential LISTs each; ratio = online p50 ÷ offline p50; ` +
      `${formatNumber(offline.bytes / 2 ** 20)} MB offline vs ` +
      `${formatNumber(online.bytes / 2 ** 20)} MB online`,
  });
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  const sim = await startSimulator(ctx, { pods: ctx.sizes.listPods });
  let agent: AgentHandle | undefined;
  try {
    agent = await startAgent(ctx, {
      name: "agent-offline",
      server: sim.url,
      cachePath: `${ctx.runDir}/offline.kv`,
      cacheAgents: "*",
      healthIntervalMs: 1000,
      unhealthyThreshold: 3,
      measure: "offline-list",
    });
    for (const media of MEDIA) await measureMedia(ctx, sim, agent, media, record);
  } finally {
    await agent?.stop();
    await sim.stop();
  }
  await measureYurthub(ctx, record);
}

/** How long YurtHub may take to see the link cut or restored (its heartbeat runs every second). */
const HUB_HEALTH_WAIT_MS = 30_000;

async function measureYurthub(ctx: BenchContext, record: RecordRow): Promise<void> {
  const ids = MEDIA.map((media) => `offline.list.${media.key}`);
  await measureHub(ctx, record, ids, async (binary, recordHub) => {
    const session = await startHubSession(ctx, binary, {
      name: "yurthub-offline",
      scale: { pods: ctx.sizes.listPods },
      heartbeatIntervalS: 1,
    });
    try {
      for (const media of MEDIA) await measureHubMedia(ctx, session, media, recordHub);
    } finally {
      await session.stop();
    }
  });
}

async function measureHubMedia(
  ctx: BenchContext,
  session: HubSession,
  media: typeof MEDIA[number],
  recordHub: RecordHub,
): Promise<void> {
  const { sim, hub } = session;
  const id = `offline.list.${media.key}`;
  const url = `${hub.url}/api/v1/pods`;
  await sim.setLink(true);
  await waitForHubHealth(hub, true, HUB_HEALTH_WAIT_MS);
  let online: Timing;
  try {
    await timedOk(url, clientHeaders(media.accept));
    online = await timeLists(url, media.accept, ctx.sizes.hubOfflineRequests);
  } catch (error) {
    return recordHub(id, `online LIST failed: ${(error as Error).message}`);
  }
  await waitForHubCache(session, ctx.sizes.listPods, 60_000);
  await sim.setLink(false);
  await waitForHubHealth(hub, false, HUB_HEALTH_WAIT_MS);
  let offline: Timing;
  try {
    offline = await timeLists(url, media.accept, ctx.sizes.hubOfflineRequests);
  } catch (error) {
    const probe = await timedGet(url, clientHeaders(media.accept));
    return recordHub(id, `offline LIST failed (HTTP ${probe.status}): ${(error as Error).message}`);
  }
  const measured = timing(offline);
  Object.assign(measured.detail, {
    "online p50": `${formatNumber(online.p50Ms)} ms`,
    "online ÷ offline": `${formatNumber(online.p50Ms / offline.p50Ms)}×`,
  });
  if (offline.bytes !== online.bytes) {
    measured.detail["offline MB"] = formatNumber(offline.bytes / 2 ** 20);
    measured.detail["online MB"] = formatNumber(online.bytes / 2 ** 20);
  }
  recordHub(id, measured);
}

function timing(t: Timing): Measured & { detail: Record<string, string> } {
  return { value: t.p50Ms, unit: "ms", detail: { p99: `${formatNumber(t.p99Ms)} ms` } };
}

/** The offline LIST measurement. */
export const offlineList: Measure = { name: "offline-list", plan, run };
