import { assertEquals } from "../assert.ts";
import { UpstreamPool } from "../../src/upstream/pool.ts";

const urls = ["https://a.example:6443", "https://b.example:6443", "https://c.example:6443"].map(
  (u) => new URL(u),
);

Deno.test("pool: round-robin cycles over healthy servers only", () => {
  const pool = new UpstreamPool(urls, "round-robin");
  pool.setHealth(pool.servers[1], false);
  const picked = Array.from({ length: 4 }, () => pool.pick()?.url.host);
  assertEquals(picked, ["a.example:6443", "c.example:6443", "a.example:6443", "c.example:6443"]);
});

Deno.test("pool: priority picks the first healthy server, and excludes the one that failed", () => {
  const pool = new UpstreamPool(urls, "priority");
  assertEquals(pool.pick()?.url.host, "a.example:6443");
  assertEquals(pool.pick(pool.servers[0])?.url.host, "b.example:6443");
  pool.setHealth(pool.servers[0], false);
  assertEquals(pool.pick()?.url.host, "b.example:6443");
});

Deno.test("pool: offline when no server is healthy; listeners hear only real changes", () => {
  const pool = new UpstreamPool(urls.slice(0, 2), "round-robin");
  const heard: string[] = [];
  let offlineEvents = 0;
  pool.onHealthChange((s) => heard.push(`${s.url.hostname}=${s.healthy}`));
  pool.events.addEventListener("offline", () => offlineEvents++);
  pool.setHealth(pool.servers[0], true);
  pool.setHealth(pool.servers[0], false, "refused");
  assertEquals(pool.online, true);
  pool.setHealth(pool.servers[1], false, "refused");
  assertEquals(pool.online, false);
  assertEquals(pool.pick(), undefined);
  assertEquals(heard, ["a.example=false", "b.example=false"]);
  assertEquals(offlineEvents, 1);
  assertEquals(pool.servers[1].lastError, "refused");
});

Deno.test("pool: the offline signal aborts when the last server goes, and is fresh once one is back", () => {
  const pool = new UpstreamPool(urls.slice(0, 2), "round-robin");
  const first = pool.offlineSignal;
  pool.setHealth(pool.servers[0], false);
  assertEquals(first.aborted, false);
  pool.setHealth(pool.servers[1], false);
  assertEquals([first.aborted, pool.offlineSignal.aborted], [true, true]);
  pool.setHealth(pool.servers[1], true);
  assertEquals([first.aborted, pool.offlineSignal.aborted], [true, false]);
});
