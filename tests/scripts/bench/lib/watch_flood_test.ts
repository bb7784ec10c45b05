import { assert, assertEquals } from "../../../assert.ts";
import { startSimulator } from "../../../../scripts/apiserver-sim/mod.ts";
import { issue, makeCa } from "../../../../scripts/apiserver-sim/pki.ts";
import type { BenchContext } from "../../../../scripts/bench/lib/measure.ts";
import { stopAll } from "../../../../scripts/bench/lib/processes.ts";
import { startFlood } from "../../../../scripts/bench/lib/watch_flood.ts";
import { QUICK } from "../../../../scripts/bench/main.ts";

const REPO = new URL("../../../../", import.meta.url).pathname;

Deno.test("watch flood: over HTTPS, pods from the flood, the rest forwarded to the fallback", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-flood-test-" });
  const ctx: BenchContext = {
    quick: true,
    profile: false,
    repoRoot: REPO,
    runDir: dir,
    sizes: QUICK,
  };
  await using sim = await startSimulator({ scale: { pods: 3, nodes: 2, namespaces: 1 } });
  try {
    await makeCa(dir, "flood-test-ca");
    await issue(
      dir,
      "flood",
      "/CN=watch-flood",
      "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
    );
    using client = Deno.createHttpClient({
      caCerts: [await Deno.readTextFile(`${dir}/ca.crt`)],
    });
    const flood = await startFlood(ctx, 500, {
      tls: { certFile: `${dir}/flood.crt`, keyFile: `${dir}/flood.key`, client },
      fallback: sim.url,
    });
    assert(flood.url.startsWith("https://"));
    const nodes = await (await fetch(`${flood.url}/api/v1/nodes`, { client })).json();
    assertEquals(nodes.items.length, 2);

    const watch = await fetch(`${flood.url}/api/v1/pods?watch=1`, { client });
    const reader = watch.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    await reader.cancel();
    const event = JSON.parse(text.split("\n")[0]);
    assertEquals([event.type, event.object.kind, event.object.apiVersion], [
      "MODIFIED",
      "Pod",
      "v1",
    ]);
  } finally {
    await stopAll();
    await Deno.remove(dir, { recursive: true });
  }
});
