import assert from "node:assert/strict";
import { followCloud } from "../../../src/proxy/local/cloud.ts";
import { UpstreamPool } from "../../../src/upstream/pool.ts";

function pool() {
  const p = new UpstreamPool(
    [new URL("http://a.invalid"), new URL("http://b.invalid")],
    "priority",
  );
  return { p, set: (i: number, healthy: boolean) => p.setHealth(p.servers[i], healthy) };
}

Deno.test("cloud: the back signal aborts when an upstream becomes healthy again", () => {
  const { p, set } = pool();
  const cloud = followCloud(p);
  set(0, false);
  set(1, false);
  const back = cloud.back;
  assert.equal(cloud.online, false);
  assert.equal(back.aborted, false);
  set(1, true);
  assert.equal(back.aborted, true);
  assert.equal(cloud.online, true);
});

Deno.test("cloud: a change while still online ends local watches; going offline re-arms", () => {
  const { p, set } = pool();
  const cloud = followCloud(p);
  const back = cloud.back;
  set(0, false);
  assert.equal(back.aborted, true);
  set(1, false);
  assert.equal(cloud.back.aborted, false);
});

Deno.test("cloud: each offline period gets a fresh signal", () => {
  const { p, set } = pool();
  const cloud = followCloud(p);
  for (let period = 0; period < 2; period++) {
    set(0, false);
    set(1, false);
    const back = cloud.back;
    assert.equal(back.aborted, false);
    set(0, true);
    assert.equal(back.aborted, true);
  }
});
