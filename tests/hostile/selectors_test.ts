/**
 * Hostile input, selectors: 200 generated label and field selectors (garbage characters, unknown
 * operators and fields, unbalanced and deeply nested parentheses, values and keys too long, up to
 * 12 KB), each sent online (the apiserver answers) and offline (holdfast answers from its cache).
 * Offline must answer what the apiserver answered: the same code, the same `Status` message for
 * a 400, the same objects for a 200; and a well-behaved client is served throughout. Selectors up
 * to 60 KB (60,000 nested parentheses, 10,000 values) are then sent offline alone.
 * @module
 */
import { assertEquals } from "../assert.ts";
import { startStack } from "../harness.ts";
import { seededRandom } from "../kube/json/fixtures.ts";
import { assertServed, goOffline, KUBELET, pick, waitCached, whileServing } from "./helpers.ts";

const LABEL_TOKENS = [
  "app",
  "tier",
  "k8s-app",
  "kubernetes.io/hostname",
  "example.com/a",
  "a",
  "v",
  "kube-dns",
  "=",
  "==",
  "!=",
  "!",
  " in ",
  " notin ",
  "in",
  ",",
  "(",
  ")",
  " ",
  "",
  "-",
  "_",
  ".",
  "/",
  "%",
  "@",
  "$",
  "é",
  "\t",
  '"',
  "'",
  "<",
  ">",
  "<=",
  "~",
  "*",
  "\\",
  "gt",
  "lt",
];
const FIELD_TOKENS = [
  "metadata.name",
  "metadata.namespace",
  "spec.nodeName",
  "status.phase",
  "spec.restartPolicy",
  "spec.schedulerName",
  "status.podIP",
  "metadata.uid",
  "spec.unknown",
  "node-0",
  "Running",
  "",
  "=",
  "==",
  "!=",
  ",",
  "\\",
  "\\,",
  "\\=",
  "\\\\",
  " ",
  "(",
  ")",
  "!",
  "in",
  "é",
  "%",
  "*",
];

function selector(next: () => number, tokens: readonly string[]): string {
  const roll = next();
  if (roll < 0.05) return "(".repeat(1 + Math.floor(next() * 6000));
  if (roll < 0.1) return `a in (${"(".repeat(Math.floor(next() * 3000))}b)`;
  if (roll < 0.15) {
    return `${pick(next, ["a", "metadata.name"])}=${"v".repeat(Math.floor(next() * 12_000))}`;
  }
  if (roll < 0.2) return `${"k".repeat(Math.floor(next() * 400))}=v`;
  return Array.from({ length: 1 + Math.floor(next() * 12) }, () => pick(next, tokens)).join("");
}

const PODS = "/api/v1/pods";

async function listWith(proxyUrl: string, param: string, value: string, userAgent: string) {
  const url = `${proxyUrl}${PODS}?${param}=${encodeURIComponent(value)}`;
  const response = await fetch(url, { headers: { "user-agent": userAgent } });
  const body = await response.json();
  return {
    code: response.status,
    kind: body.kind,
    answer: body.kind === "Status"
      ? `${body.reason}: ${body.message}`
      : body.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(),
  };
}

Deno.test("hostile selectors: 200 generated label and field selectors get the same answer offline as from the apiserver", async () => {
  await using stack = await startStack();
  const all = await fetch(`${stack.proxyUrl}${PODS}`, { headers: KUBELET });
  assertEquals(all.status, 200);
  await all.arrayBuffer();
  await assertServed(stack.proxyUrl);
  await waitCached(stack, "kubelet", "pods");
  await waitCached(stack, "kubelet", "configmaps");

  const next = seededRandom(7203);
  const cases = Array.from({ length: 200 }, () => {
    const label = next() < 0.6;
    const value = selector(next, label ? LABEL_TOKENS : FIELD_TOKENS);
    return { param: label ? "labelSelector" : "fieldSelector", value };
  });
  // Online, as a client holdfast has no cache for, so the apiserver answers every one.
  const online: Awaited<ReturnType<typeof listWith>>[] = [];
  for (const { param, value } of cases) {
    online.push(await listWith(stack.proxyUrl, param, value, "selector-fuzzer/1"));
  }
  const codes = new Set(online.map((o) => o.code));
  assertEquals([...codes].sort(), [200, 400], "the generated cases reach both answers");

  await goOffline(stack);
  await whileServing(stack.proxyUrl, async () => {
    for (const [i, { param, value }] of cases.entries()) {
      const offline = await listWith(stack.proxyUrl, param, value, KUBELET["user-agent"]);
      assertEquals(offline, online[i], `#${i} ${param}=${JSON.stringify(value.slice(0, 200))}`);
    }
    // Larger than the simulator takes (its HTTP/2 head limit is 16 KiB), up to Deno's 64 KiB.
    const huge: [string, string, number][] = [
      ["labelSelector", "(".repeat(60_000), 400],
      ["labelSelector", `a in (${"b,".repeat(10_000)}c)`, 200],
      ["labelSelector", "a,".repeat(10_000) + "a", 200],
      ["labelSelector", `a=${"v".repeat(60_000)}`, 400],
      ["fieldSelector", `metadata.name=${"v".repeat(60_000)}`, 200],
      ["fieldSelector", "metadata.name!=a,".repeat(2_000) + "metadata.name!=b", 200],
    ];
    for (const [param, value, code] of huge) {
      const offline = await listWith(stack.proxyUrl, param, value, KUBELET["user-agent"]);
      const what = `${param}=${value.slice(0, 40)}… (${value.length} bytes)`;
      assertEquals([offline.code, offline.kind], [code, code === 200 ? "PodList" : "Status"], what);
    }
  });
});
