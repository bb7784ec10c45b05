/**
 * `holdfast run` end to end as a subprocess: starts against a fake upstream, answers on its admin
 * listener, is read by `holdfast status`, and exits 0 on SIGTERM. It sets only the health
 * interval (1s, shorter than the default timeout of 2s): the default timeout follows it.
 */
import assert from "node:assert/strict";
import { runMain } from "./capture.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("run serves the admin listener, reports status, and exits 0 on SIGTERM", async () => {
  const upstream = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("ok"),
  );
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "main.ts",
      "run",
      "--server",
      `http://127.0.0.1:${upstream.addr.port}`,
      "--listen",
      "127.0.0.1:0",
      "--admin-listen",
      "127.0.0.1:0",
      "--cache-path",
      `${dir}/cache.kv`,
      "--node-name",
      "e2e-node",
      "--health-interval",
      "1s",
      "--log-format",
      "json",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const log: string[] = [];
  try {
    let admin: string | undefined;
    let buffer = "";
    while (admin === undefined) {
      const { value, done } = await lines.read();
      assert.ok(!done, `agent exited early:\n${log.join("\n")}${buffer}`);
      buffer += value;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const line of parts) {
        log.push(line);
        const record = JSON.parse(line);
        if (record.msg === "holdfast started") admin = `http://${record.admin}`;
      }
    }

    const health = await fetch(`${admin}/v1/healthz`);
    assert.equal(await health.text(), "OK");
    const status = await runMain(["status", "--admin", admin]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /on node e2e-node: /);
    assert.ok(status.stdout.includes(`http://127.0.0.1:${upstream.addr.port}/`));

    child.kill("SIGTERM");
    const drained = (async () => {
      for (;;) {
        const { value, done } = await lines.read();
        if (done) return;
        log.push(value);
      }
    })();
    const { code } = await child.status;
    await drained;
    assert.equal(code, 0, log.join("\n"));
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await child.status;
    await lines.cancel().catch(() => {});
    await upstream.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
