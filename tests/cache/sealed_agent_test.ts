/**
 * Secrets at rest, end to end: kubelet reads Secrets through a running agent in front of the
 * simulator (LIST, WATCH and GET, JSON and protobuf, one Secret large enough to be split into
 * blob parts); then no Secret value is found in the raw bytes of the KV file or its WAL, every
 * file holdfast made is 0600 and its folder 0700, offline answers equal what the simulator
 * served, and a replaced or missing key file makes the Secrets uncached (503 offline, a
 * `seal-key` fault) rather than garbage.
 */
import { assert, assertEquals } from "../assert.ts";
import { type Stack, startStack, waitFor } from "../harness.ts";
import type { QueryView } from "../../src/cache/inspect.ts";
import { decodeList } from "../../src/kube/protobuf/mod.ts";

const UA = "kubelet/v1.30.0 (linux/amd64) kubernetes/abc";
const PROTOBUF = "application/vnd.kubernetes.protobuf";
const JSON_TYPE = "application/json";
const encoder = new TextEncoder();

/** What the test reads of a Secret or a pod. */
interface Item {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function get(stack: Stack, path: string, accept = JSON_TYPE): Promise<Response> {
  return fetch(`${stack.proxyUrl}${path}`, { headers: { "user-agent": UA, accept } });
}

async function bytes(response: Response): Promise<Uint8Array> {
  assertEquals(response.status, 200, `${response.url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  for (let i = haystack.indexOf(first); i !== -1; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.byteLength > haystack.byteLength) return false;
    let j = 1;
    while (j < needle.byteLength && haystack[i + j] === needle[j]) j++;
    if (j === needle.byteLength) return true;
  }
  return false;
}

async function mode(stack: Stack): Promise<string> {
  return (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode;
}

async function goOffline(stack: Stack): Promise<void> {
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");
}

/** Waits until kubelet's secrets query in `mediaType` is complete in the cache. */
function listed(stack: Stack, mediaType: string, namespace = ""): Promise<void> {
  return waitFor(`the ${mediaType} secrets listing`, async () => {
    const ls = await (await fetch(`${stack.adminUrl}/v1/cache/ls`)).json();
    return ls.queries.some((q: QueryView) =>
      q.component === "kubelet" && q.resource === "secrets.v1.core" && q.namespace === namespace &&
      q.complete && !q.stale && q.mediaType === mediaType
    );
  });
}

/** Reads a watch body until `text` has arrived, then closes it. */
async function watchUntil(response: Response, text: string): Promise<void> {
  assertEquals(response.status, 200);
  const reader = response.body!.getReader();
  let seen = new Uint8Array();
  while (!contains(seen, encoder.encode(text))) {
    const { value, done } = await reader.read();
    assert(!done, `the watch ended before ${text}`);
    seen = new Uint8Array([...seen, ...value]);
  }
  await reader.cancel();
}

/** Every value of every Secret's data (base64, as JSON carries it, and decoded) and stringData. */
function secretValues(secrets: Item[]): string[] {
  return secrets.flatMap((secret) => [
    ...Object.values(secret.data ?? {}).flatMap((value) => [String(value), atob(String(value))]),
    ...Object.values(secret.stringData ?? {}).map(String),
  ]).filter((value) => value.length >= 6);
}

/** Pieces of each value short enough to lie within one stored part (long values are split). */
function needles(values: string[]): string[] {
  return values.flatMap((value) =>
    value.length <= 64
      ? [value]
      : [0, 0.5, 0.99].map((at) => value.slice(Math.floor(at * (value.length - 48))).slice(0, 48))
  );
}

async function mode600(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mode! & 0o777;
  } catch {
    return undefined; // not there (a WAL is removed when the file is closed)
  }
}

Deno.test("sealed secrets: no Secret value in the KV file or WAL, private files, offline answers as served, a wrong key empties them", async () => {
  const base = await Deno.makeTempDir({ prefix: "holdfast-sealed-" });
  const folder = `${base}/state/holdfast`; // holdfast makes it
  const cachePath = `${folder}/cache.kv`;
  await using stack = await startStack({ config: { cachePath } });
  const { sim } = stack;
  // A Secret too large for one KV value, created before the listing (so it is listed).
  const large = Array.from({ length: 3000 }, (_, i) => `large-secret-line-${i}-${i * 7919}`).join();
  sim.objects.create("secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "large", namespace: "default" },
    data: { bundle: btoa(large) },
    type: "Opaque",
  });
  const [first] = sim.objects.list("secrets") as unknown as Item[];
  const one = `/api/v1/namespaces/${first.metadata.namespace}/secrets/${first.metadata.name}`;

  // LIST (JSON, all namespaces; protobuf, one namespace), GET (both), a pod for later.
  const jsonList = await (await get(stack, "/api/v1/secrets")).json();
  const pbList = await bytes(await get(stack, "/api/v1/namespaces/default/secrets", PROTOBUF));
  const jsonOne = await (await get(stack, one)).json();
  const pbOne = await bytes(await get(stack, one, PROTOBUF));
  const pbLarge = await bytes(
    await get(stack, "/api/v1/namespaces/default/secrets/large", PROTOBUF),
  );
  const pod = sim.objects.list("pods")[0] as unknown as Item;
  const podPath = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
  await (await get(stack, podPath)).body?.cancel();
  await listed(stack, JSON_TYPE);
  await listed(stack, PROTOBUF, "default");
  assert(contains(pbOne, encoder.encode("stringDataValue"))); // the protobuf Secrets' content

  // WATCH (JSON and protobuf): a Secret made and one changed while they are open.
  const jsonWatch = await get(
    stack,
    `/api/v1/secrets?watch=true&resourceVersion=${jsonList.metadata.resourceVersion}`,
  );
  const pbRv = decodeList(pbList).find((part) => part.type === "meta")!;
  assert(pbRv.type === "meta");
  const pbWatch = await get(
    stack,
    `/api/v1/namespaces/default/secrets?watch=true&resourceVersion=${pbRv.meta.resourceVersion}`,
    PROTOBUF,
  );
  sim.objects.create("secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "watched", namespace: "default" },
    data: { token: btoa("watched-token-value-4711") },
    type: "Opaque",
  });
  await watchUntil(jsonWatch, '"name":"watched"');
  await watchUntil(pbWatch, "watched");

  // While running: the KV file, its WAL and shared memory, the lock and the key are 0600.
  const files = ["", "-wal", "-shm", ".lock", ".key"].map((suffix) => `${cachePath}${suffix}`);
  for (const file of files) assertEquals(await mode600(file), 0o600, file);
  for (const dir of [folder, `${base}/state`]) {
    assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700, dir);
  }
  // The file and its WAL as they are while the agent runs (once the watched Secret is stored),
  // and after it stopped (checkpointed into the file).
  await waitFor("the watched Secret stored", async () => {
    const response = await fetch(
      `${stack.adminUrl}/v1/cache/objects/kubelet/secrets/default/watched`,
    );
    await response.body?.cancel();
    return response.ok;
  });
  const read = (suffix: string) => Deno.readFile(`${cachePath}${suffix}`).catch(() => undefined);
  const snapshots: Record<string, Uint8Array | undefined> = {
    "running file": await read(""),
    "running WAL": await read("-wal"),
  };
  assert(snapshots["running WAL"]?.byteLength, "a WAL while running");
  await stack.stopAgent();
  for (const suffix of ["", "-wal", "-shm"]) snapshots[`stopped ${suffix}`] = await read(suffix);
  const served = sim.objects.list("secrets") as unknown as Item[];
  const values = needles([...secretValues(served), "watched-token-value-4711", "stringDataValue"]);
  assert(values.some((value) => value.startsWith("large-secret-line")));
  for (const [name, raw] of Object.entries(snapshots)) {
    if (!raw) continue;
    for (const value of values) {
      assert(!contains(raw, encoder.encode(value)), `${value} found in ${name} of ${cachePath}`);
    }
  }
  for (const file of files) assert((await mode600(file) ?? 0o600) === 0o600, file);
  // The pods (not sealed) are there in the clear: the search above can find what is stored.
  const clear = await Deno.readFile(cachePath);
  assert(contains(clear, encoder.encode(`"name":"${pod.metadata.name}"`)));

  // Offline, after a restart: the Secrets as the simulator served them.
  await stack.restartAgent();
  await goOffline(stack);
  // List items carry no apiVersion and kind (as kube-apiserver's).
  const byName = (list: { items: Item[] }) =>
    Object.fromEntries(list.items.map(({ apiVersion: _, kind: __, ...s }) => [
      `${s.metadata.namespace}/${s.metadata.name}`,
      s,
    ]));
  const offlineList = await (await get(stack, "/api/v1/secrets")).json();
  assertEquals(byName(offlineList), byName({ items: served }));
  assertEquals(await (await get(stack, one)).json(), jsonOne);
  assertEquals(await bytes(await get(stack, one, PROTOBUF)), pbOne);
  const offlineLarge = await bytes(
    await get(stack, "/api/v1/namespaces/default/secrets/large", PROTOBUF),
  );
  assertEquals(offlineLarge, pbLarge);
  const items = (body: Uint8Array) =>
    decodeList(body).flatMap((part) =>
      part.type === "item" ? [[part.object.meta.name, part.object.bytes] as const] : []
    );
  const offlinePb = new Map(
    items(await bytes(await get(stack, "/api/v1/namespaces/default/secrets", PROTOBUF))),
  );
  for (const [name, object] of items(pbList)) assertEquals(offlinePb.get(name), object, name);
  assert(offlinePb.has("watched"));

  // The key file replaced: a clear fault, the Secrets uncached (503), the rest still served.
  for (const replace of [true, false]) {
    await stack.stopAgent();
    if (replace) {
      await Deno.writeFile(`${cachePath}.key`, crypto.getRandomValues(new Uint8Array(32)));
    } else await Deno.remove(`${cachePath}.key`);
    await stack.restartAgent();
    const status = await (await fetch(`${stack.adminUrl}/v1/status`)).json();
    assertEquals(status.cacheFault?.kind, "seal-key", JSON.stringify(status.cacheFault));
    assert(status.cacheFault.error.includes("seal key does not open"), status.cacheFault.error);
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    assert(metrics.includes('holdfast_cache_fault{kind="seal-key"} 1'));
    assertEquals(await mode600(`${cachePath}.key`), 0o600);
    const secret = await get(stack, one);
    const body = await secret.json();
    assertEquals([secret.status, body.kind], [503, "Status"], JSON.stringify(body));
    assertEquals((await get(stack, "/api/v1/secrets")).status, 503);
    assertEquals((await get(stack, podPath)).status, 200);
    if (!replace) break;
    // Re-cache the Secrets under the new key so the missing-key round has sealed data to lose.
    await stack.sim.faults.linkUp();
    await waitFor("online mode", async () => (await mode(stack)) === "online");
    await (await get(stack, one)).body?.cancel();
    await waitFor("the Secret cached", async () => {
      const path =
        `/v1/cache/objects/kubelet/secrets/${first.metadata.namespace}/${first.metadata.name}`;
      const response = await fetch(`${stack.adminUrl}${path}`);
      await response.body?.cancel();
      return response.ok;
    });
    await goOffline(stack);
  }
  await Deno.remove(base, { recursive: true });
});
