import { assert, assertEquals } from "../assert.ts";
import { verifyCache } from "../../src/cache/inspect.ts";
import { isServable } from "../../src/cache/query.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { CRASH_QUERIES, expectedCount, LARGE_BYTES } from "./crash_writer.ts";
import { recordOf, tempCachePath } from "./helpers.ts";

const KILLS = 50;
const writer = new URL("./crash_writer.ts", import.meta.url).pathname;
const config = new URL("../../deno.json", import.meta.url).pathname;

/** Starts the writer, waits for `ready`, lets it write for a random moment, and kills it. */
async function runAndKill(path: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config, writer, path],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  let output = "";
  const decoder = new TextDecoder();
  while (!output.includes("ready\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    output += decoder.decode(value);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
}

/** Every query is exactly one complete snapshot, and nothing else is stored. */
async function checkSnapshots(path: string): Promise<number> {
  await using store = await CacheStore.open(path);
  let newest = 0;
  for (const query of CRASH_QUERIES) {
    const record = await recordOf(store, query);
    if (!record) continue;
    assert(isServable(record), "complete and not stale");
    const version = Number(record.resourceVersion);
    const versions = new Set<string>();
    let count = 0;
    let large = 0;
    for await (const object of store.listObjects(record)) {
      versions.add(object.meta.resourceVersion);
      count++;
      if (object.meta.name === "large") large = object.bytes.byteLength;
    }
    assertEquals([...versions], [record.resourceVersion], "objects of one list version only");
    assertEquals([count, record.objectCount], [expectedCount(version), expectedCount(version)]);
    assert(large >= LARGE_BYTES, "the large object is whole");
    newest = Math.max(newest, version);
  }
  const report = await verifyCache(store.kv);
  assertEquals([report.damage, report.garbage], [[], []]);
  return newest;
}

Deno.test({
  name: `crash: ${KILLS} kill -9 during list replaces leave every query one complete snapshot`,
  async fn() {
    await using tmp = await tempCachePath();
    let newest = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await runAndKill(tmp.path);
      newest = await checkSnapshots(tmp.path);
    }
    assert(newest > 3, `the writer got through several lists (newest version ${newest})`);
  },
});
