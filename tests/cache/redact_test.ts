import { assertEquals } from "../assert.ts";
import { REDACTED_VALUE, redactedObject } from "../../src/cache/redact.ts";
import { protobufCodec } from "../../src/kube/protobuf/codec.ts";
import type { RawObject } from "../../src/kube/types.ts";
import { readPb } from "../kube/protobuf/fixtures.ts";
import { secretObject as secret } from "./helpers.ts";

const encoder = new TextEncoder();

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

Deno.test("redactedObject: a protobuf Secret as the cache keeps it (no envelope) shows its keys", () => {
  const decoded = protobufCodec.decodeObject(readPb("core.v1.Secret"), "secrets");
  assertEquals(redactedObject(stored(decoded, protobufCodec.mediaType)), {
    data: { dataKey: REDACTED_VALUE },
    stringData: { stringDataKey: REDACTED_VALUE },
  });
});
