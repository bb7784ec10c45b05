import assert from "node:assert/strict";

const main = new URL("../../../scripts/apiserver-sim/main.ts", import.meta.url).pathname;

Deno.test("main: prints its URLs as a JSON line and serves the requested scale", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "--port", "0", "--pods", "25", "--nodes", "4"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    while (!text.includes("\n")) {
      const { done, value } = await lines.read();
      if (done) break;
      text += value;
    }
    const started = JSON.parse(text.split("\n")[0]);
    assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(started.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const nodes = await (await fetch(`${started.url}/api/v1/nodes`)).json();
    assert.equal(nodes.items.length, 4);
    const pods = await (await fetch(`${started.url}/api/v1/pods`)).json();
    assert.equal(pods.items.length, 25);
  } finally {
    child.kill("SIGTERM");
    await lines.cancel();
    await child.status;
  }
});
