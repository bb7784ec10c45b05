import { assertEquals, assertRejects } from "../../assert.ts";
import { secretDataKeys } from "../../../src/kube/protobuf/secret.ts";
import { ProtobufError } from "../../../src/kube/protobuf/wire.ts";
import { readJson, readPb } from "./fixtures.ts";

Deno.test("secretDataKeys: the data and stringData keys of a protobuf Secret, as in its JSON twin", () => {
  const json = readJson("core.v1.Secret");
  assertEquals(secretDataKeys(readPb("core.v1.Secret")), {
    data: Object.keys(json.data),
    stringData: Object.keys(json.stringData),
  });
});

Deno.test("secretDataKeys: a body that is not Kubernetes protobuf is refused", async () => {
  await assertRejects(
    () => Promise.resolve().then(() => secretDataKeys(new TextEncoder().encode("{}"))),
    ProtobufError,
  );
});
