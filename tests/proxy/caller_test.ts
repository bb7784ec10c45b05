import { AcceptedCallers } from "../../src/cache/callers.ts";
import { asCaller, CallerIdentities } from "../../src/proxy/caller.ts";
import { ephemeralCallerKey, loadCallerKey } from "../../src/proxy/caller_key.ts";
import { classify } from "../../src/proxy/classify.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";

Deno.test("caller: a token's identity is its keyed hash, stable under one key, never the token", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/identity.key`;
    const first = new CallerIdentities(await loadCallerKey(path));
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    const again = new CallerIdentities(await loadCallerKey(path)); // read back, not made anew
    const other = new CallerIdentities(await ephemeralCallerKey());
    const a = await first.of("own-token", "Bearer secret-a");
    assert(/^token:[0-9a-f]{32}$/.test(a.identity), a.identity);
    assert(!a.identity.includes("secret-a"));
    assertEquals(a.vouched, false);
    assertEquals(await again.of("own-token", "bearer  secret-a "), a);
    assert((await first.of("own-token", "Bearer secret-b")).identity !== a.identity);
    assert((await other.of("own-token", "Bearer secret-a")).identity !== a.identity);
    assertEquals(await first.of("node", null), { identity: "node", vouched: true });
    await Deno.writeFile(`${dir}/short.key`, new Uint8Array(8));
    await assertRejects(() => loadCallerKey(`${dir}/short.key`), Error, "fewer than 32 bytes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("caller: aliases name the identity whose cache a token reads, and vouch for it", async () => {
  const key = await ephemeralCallerKey();
  const plain = new CallerIdentities(key);
  const token = (await plain.of("own-token", "Bearer kubelet-token")).identity;
  const aliased = new CallerIdentities(key, new Map([[token, "node"]]));
  assertEquals(await aliased.of("own-token", "Bearer kubelet-token"), {
    identity: "node",
    vouched: true,
  });
  assertEquals((await aliased.of("own-token", "Bearer other")).vouched, false);
});

Deno.test("caller: answers of other identities than the node live in their own partition", () => {
  const request = new Request("http://h/api/v1/secrets", {
    headers: { "user-agent": "kubelet/1", accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
  });
  const classified = classify(request, new URL(request.url), "*");
  assertEquals(asCaller(classified, "node"), classified);
  const caller = asCaller(classified, "token:ab");
  assertEquals(caller.identity, "token:ab");
  assertEquals(caller.component, "kubelet");
  assert(caller.kind === "list");
  assertEquals(caller.query?.component, "kubelet/token:ab");
  assertEquals(caller.table?.path, "token:ab kubelet /api/v1/secrets");
});

Deno.test("caller: identities the cloud accepted are remembered across restarts", async () => {
  const path = await Deno.makeTempFile();
  try {
    let kv = await Deno.openKv(path);
    const callers = new AcceptedCallers(kv);
    assertEquals(await callers.isKnown("token:aa"), false);
    const stored = callers.accepted("token:aa");
    assertEquals(await callers.isKnown("token:aa"), true); // at once, before it is stored
    await stored;
    kv.close();
    kv = await Deno.openKv(path);
    assertEquals(await new AcceptedCallers(kv).isKnown("token:aa"), true);
    assertEquals(await new AcceptedCallers(kv).isKnown("token:bb"), false);
    kv.close();
  } finally {
    await Deno.remove(path);
  }
});
