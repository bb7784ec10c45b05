/**
 * Bounded by design, through a running agent: metric series stay few whatever clients send,
 * offline LISTs and watches beyond their bounds get 429 TooManyRequests.
 */
import { assert, assertEquals } from "./assert.ts";
import { startStack, waitFor } from "./harness.ts";
import { seededRandom } from "./kube/json/fixtures.ts";

function word(next: () => number): string {
  return Array.from({ length: 8 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(next() * 26)])
    .join("");
}

async function scrape(adminUrl: string): Promise<string[]> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  return text.split("\n").filter((line) => line.startsWith("holdfast_requests_total{"));
}

Deno.test("bounds: 300 requests with random User-Agents and resources make few metric series", async () => {
  await using stack = await startStack();
  const next = seededRandom(15);
  for (let i = 0; i < 300; i++) {
    const resource = next() < 0.5 ? "pods" : word(next);
    const response = await fetch(`${stack.proxyUrl}/api/v1/namespaces/default/${resource}`, {
      headers: { "user-agent": `${word(next)}/v${i}` },
    });
    await response.body?.cancel();
  }
  const total = (lines: string[]) => lines.reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
  await waitFor("300 requests counted", async () => total(await scrape(stack.adminUrl)) === 300);
  const series = await scrape(stack.adminUrl);
  // verb list × resource pods|other × component other × code 200|404.
  assert(series.length <= 4, `${series.length} series:\n${series.join("\n")}`);
  for (const line of series) assert(line.includes('component="other"'), line);
});

Deno.test("bounds: watches beyond --max-watches get 429 TooManyRequests until one ends", async () => {
  await using stack = await startStack({
    config: { limits: { upstreamHeaderTimeoutMs: 15_000, offlineLists: 4, watches: 2 } },
  });
  const watch = (signal?: AbortSignal) =>
    fetch(`${stack.proxyUrl}/api/v1/namespaces/default/configmaps?watch=true`, { signal });
  const first = new AbortController();
  const open = [await watch(first.signal), await watch()];
  assertEquals(open.map((r) => r.status), [200, 200]);
  const refused = await watch();
  assertEquals(refused.status, 429);
  assertEquals(refused.headers.get("retry-after"), "1");
  assertEquals((await refused.json()).reason, "TooManyRequests");
  // Other requests are not bounded by it.
  const list = await fetch(`${stack.proxyUrl}/api/v1/namespaces/default/configmaps`);
  assertEquals(list.status, 200);
  await list.body?.cancel();

  first.abort();
  await open[0].body?.cancel().catch(() => {});
  let again = await watch();
  await waitFor("a watch slot given back", async () => {
    if (again.status === 200) return true;
    await again.body?.cancel();
    again = await watch();
    return false;
  });
  await again.body?.cancel();
  await open[1].body?.cancel();
});
