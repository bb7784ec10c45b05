import { assert, assertEquals } from "../assert.ts";
import { cacheAdminRoutes } from "../../src/cache/inspect.ts";
import { REDACTED_VALUE, redactedObject } from "../../src/cache/redact.ts";
import { Sealer } from "../../src/cache/seal.ts";
import { CacheStore } from "../../src/cache/store.ts";
import type { RawObject } from "../../src/kube/types.ts";
import { readPb } from "../kube/protobuf/fixtures.ts";
import { podQuery } from "./helpers.ts";

const encoder = new TextEncoder();
const secrets = podQuery({ namespace: "default", fieldSelector: "", resource: "secrets" });
const tokens = podQuery({ namespace: "default", fieldSelector: "", resource: "tokens" });

function secret(name: string, body: unknown): RawObject {
  return {
    meta: { name, namespace: "default", resourceVersion: "5", uid: name, labels: {} },
    fields: { type: "Opaque" },
    typeMeta: { apiVersion: "v1", kind: "Secret" },
    bytes: encoder.encode(JSON.stringify(body)),
  };
}

const stored = (object: RawObject, mediaType = "application/json") => ({
  ...object,
  mediaType,
  storedAt: 1,
});

Deno.test("redactedObject: data and stringData values hidden, keys and the rest kept (JSON)", () => {
  const body = {
    kind: "Secret",
    metadata: { name: "s" },
    data: { password: "aHVudGVyMg==", token: "dG9r" },
    stringData: { plain: "hunter2" },
    type: "Opaque",
  };
  assertEquals(redactedObject(stored(secret("s", body))), {
    kind: "Secret",
    metadata: { name: "s" },
    data: { password: REDACTED_VALUE, token: REDACTED_VALUE },
    stringData: { plain: REDACTED_VALUE },
    type: "Opaque",
  });
  assertEquals(redactedObject(stored(secret("odd", { data: "not-a-map" }))), {
    data: REDACTED_VALUE,
  });
  assertEquals(
    redactedObject({ ...stored(secret("bad", {})), bytes: encoder.encode("{") }),
    undefined,
  );
});

Deno.test("redactedObject: a protobuf Secret shows its data keys only", () => {
  const object = { ...stored(secret("pb", {}), "application/vnd.kubernetes.protobuf") };
  object.bytes = readPb("core.v1.Secret");
  assertEquals(redactedObject(object), {
    data: { dataKey: REDACTED_VALUE },
    stringData: { stringDataKey: REDACTED_VALUE },
  });
});

Deno.test("admin cache routes redact Secrets and sealed resources unless told to expose them", async () => {
  await using store = await CacheStore.open(":memory:", {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["secrets", "tokens"],
  });
  const body = { kind: "Secret", metadata: { name: "s" }, data: { password: "aHVudGVyMg==" } };
  await store.putObject(secrets, "application/json", secret("s", body));
  await store.putObject(tokens, "application/json", secret("t", body));
  await store.putObject(
    secrets,
    "application/vnd.kubernetes.protobuf",
    { ...secret("pb", {}), bytes: readPb("core.v1.Secret") },
  );
  await store.flush();
  const get = async (exposeSecrets: boolean, resource: string, name: string) => {
    const routes = cacheAdminRoutes(store, exposeSecrets);
    const url = `http://admin/v1/cache/objects/kubelet/${resource}/default/${name}`;
    const response = await routes(new Request(url));
    assertEquals(response?.status, 200);
    return await response!.json();
  };
  for (const resource of ["secrets", "tokens"]) {
    const name = resource === "secrets" ? "s" : "t";
    const hidden = await get(false, resource, name);
    assertEquals([hidden.redacted, hidden.object.data], [true, { password: REDACTED_VALUE }]);
    assert(!JSON.stringify(hidden).includes("aHVudGVyMg=="));
    const shown = await get(true, resource, name);
    assertEquals([shown.redacted, shown.object.data], [undefined, { password: "aHVudGVyMg==" }]);
  }
  const pb = await get(false, "secrets", "pb");
  assertEquals([pb.base64, pb.object.data], [undefined, { dataKey: REDACTED_VALUE }]);
  assert(typeof (await get(true, "secrets", "pb")).base64 === "string");
});
