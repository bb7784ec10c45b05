import assert from "node:assert/strict";
import { componentOf, MAX_COMPONENT_LENGTH } from "../../src/kube/component.ts";

const CASES: [string, string | null, string][] = [
  ["no header", null, ""],
  ["empty header", "", ""],
  ["blank header", "   ", ""],
  ["kubelet", "kubelet/v1.30.1 (linux/amd64) kubernetes/abc1234", "kubelet"],
  ["kube-proxy", "kube-proxy/v1.30.1 (linux/arm64) kubernetes/abc1234", "kube-proxy"],
  ["CoreDNS lower-cased", "CoreDNS/1.11.1 git_commit:ae2bbc29", "coredns"],
  ["flanneld", "flanneld/v0.25.1 (linux/amd64) kubernetes/$Format:%h$", "flanneld"],
  ["plain Go client", "Go-http-client/2.0", "go-http-client"],
  ["no slash", "MyAgent", "myagent"],
  ["surrounding whitespace trimmed", "  kubelet /v1.30", "kubelet"],
  ["leading slash gives no component", "/v1.0", ""],
  ["multi-word name kept", "kubectl plugin/1.0", "kubectl plugin"],
];

for (const [title, userAgent, expected] of CASES) {
  Deno.test(`componentOf: ${title}`, () => {
    assert.equal(componentOf(userAgent), expected);
  });
}

Deno.test("componentOf: a huge User-Agent is cut to the maximum length", () => {
  const component = componentOf("A".repeat(10_000) + "/1.0");
  assert.equal(component, "a".repeat(MAX_COMPONENT_LENGTH));
});
