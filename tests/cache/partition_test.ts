import { assertEquals } from "../assert.ts";
import { cachePartition, partitionComponent } from "../../src/cache/partition.ts";

Deno.test("partition: the node's answers under the component, another identity's beside them", () => {
  assertEquals(cachePartition("kubelet", "node"), "kubelet");
  assertEquals(cachePartition("kubelet", "cert:/CN=x/O=y"), "kubelet/cert:/CN=x/O=y");
  assertEquals(partitionComponent("kubelet/cert:/CN=x/O=y"), "kubelet");
  assertEquals(partitionComponent("kubelet/token:ab"), "kubelet");
  assertEquals(partitionComponent("kubelet"), "kubelet");
});
