import { assertEquals } from "../../../assert.ts";
import { listStored } from "../../../../scripts/bench/lib/cache_status.ts";

const query = (mediaType: string, complete = true, objects = 5000) => ({
  component: "kubelet",
  resource: "pods.v1.core",
  namespace: "",
  labelSelector: "",
  fieldSelector: "",
  resourceVersion: "10",
  complete,
  stale: false,
  mediaType,
  objects,
});

Deno.test("listStored: a protobuf fill waits for the protobuf copy, not the JSON one", () => {
  const json = query("application/json");
  const protobuf = "application/vnd.kubernetes.protobuf";
  const status = (queries: unknown[]) => ({
    mode: "online",
    cache: [{ component: "kubelet", resource: "pods", objects: 10000, complete: 1 }],
    queries,
  });
  assertEquals(listStored(status([json]), "pods", 5000), true);
  assertEquals(listStored(status([json]), "pods", 5000, "application/json"), true);
  assertEquals(listStored(status([json]), "pods", 5000, protobuf), false);
  assertEquals(listStored(status([json, query(protobuf, false)]), "pods", 5000, protobuf), false);
  assertEquals(listStored(status([json, query(protobuf)]), "pods", 5000, protobuf), true);
});
