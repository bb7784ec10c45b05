import { assertEquals } from "../../../assert.ts";
import { startRelay } from "../../../../scripts/bench/lib/relay.ts";

Deno.test("startRelay: forwards HTTP both ways and counts the bytes of each direction", async () => {
  const body = "x".repeat(10_000);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(body),
  );
  const relay = startRelay({ hostname: "127.0.0.1", port: server.addr.port });
  const response = await fetch(`${relay.url}/hello`);
  assertEquals(await response.text(), body);
  assertEquals(relay.connections, 1);
  assertEquals(relay.bytesDown > 10_000 && relay.bytesDown < 10_500, true);
  assertEquals(relay.bytesUp > 20 && relay.bytesUp < 500, true);
  await relay.close();
  await server.shutdown();
});

Deno.test("startRelay: a target that refuses connections closes the client's connection", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const relay = startRelay({ hostname: "127.0.0.1", port });
  let failed = false;
  await fetch(`${relay.url}/`).then((r) => r.body?.cancel(), () => failed = true);
  assertEquals(failed, true);
  await relay.close();
});
