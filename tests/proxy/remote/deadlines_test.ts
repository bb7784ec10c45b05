import { assert, assertEquals } from "../../assert.ts";
import { Deadlines } from "../../../src/proxy/remote/deadlines.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("Deadlines: entries expire in the order they started, none before its time", async () => {
  const deadlines = new Deadlines(30);
  const expired: Array<{ id: number; late: number }> = [];
  const started = new Map<number, number>();
  for (let id = 0; id < 6; id++) {
    started.set(id, performance.now());
    deadlines.start(() => expired.push({ id, late: performance.now() - started.get(id)! }));
    await sleep(5);
  }
  while (expired.length < 6) await sleep(10);
  assertEquals(expired.map((e) => e.id), [0, 1, 2, 3, 4, 5]);
  for (const { id, late } of expired) assert(late >= 29, `entry ${id} expired after ${late} ms`);
});

Deno.test("Deadlines: a stopped entry never expires, and the others still do", async () => {
  const deadlines = new Deadlines(20);
  const expired: number[] = [];
  const stops = [0, 1, 2, 3].map((id) => deadlines.start(() => expired.push(id)));
  stops[0]();
  stops[2]();
  while (expired.length < 2) await sleep(10);
  await sleep(40);
  assertEquals(expired, [1, 3]);
});

Deno.test("Deadlines: once every entry is stopped no timer keeps the process alive", async () => {
  const module = new URL("../../../src/proxy/remote/deadlines.ts", import.meta.url).href;
  const script = `import { Deadlines } from "${module}";
    const deadlines = new Deadlines(600_000);
    const stops = [deadlines.start(() => {}), deadlines.start(() => {})];
    for (const stop of stops) stop();
    stops[0](); // stopping twice is harmless
    console.log("stopped");`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000), // a pending 10-minute timer would hold it that long
  });
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  assertEquals(code, 0, decoder.decode(stderr));
  assertEquals(decoder.decode(stdout).trim(), "stopped");
});
