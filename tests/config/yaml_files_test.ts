/**
 * Every YAML file the agent reads parses the same with holdfast's reader as with the `yaml`
 * package (tree, lines and columns, plain value), without falling back to `yaml`: the example
 * config, the config and node kubeconfig `install` writes, the simulator's kubeconfigs and the
 * tests' own. The shared fixtures hold no kubeconfig; their Kubernetes objects as YAML (written
 * by Kubernetes' own YAML encoder, as kubeconfigs are by kubectl) are checked too.
 */
import { LineCounter, parseDocument } from "yaml";
import * as yaml from "yaml";
import { assert, assertEquals } from "../assert.ts";
import { configFile, nodeKubeconfig } from "../../src/install/plan.ts";
import { documentTree } from "../../src/config/yaml_parse.ts";
import { readYaml } from "../../src/config/yaml_reader.ts";
import { toValue } from "../../src/config/yaml_tree.ts";
import { kubeconfigYaml } from "../../scripts/apiserver-sim/kubeconfig.ts";
import { KUBECONFIG, kubeconfig } from "./kubeconfigs.ts";
import { CERT_PEM, KEY_PEM } from "./memory_io.ts";

const ROOT = new URL("../../", import.meta.url);
const FIXTURES = new URL("../../../shared/fixtures/k8s-api-testdata/", import.meta.url);

/** Fails unless holdfast's reader reads `text` itself, exactly as `yaml` does. */
function assertReadAsYaml(name: string, text: string): void {
  const ours = readYaml(text);
  assert(!("deferred" in ours), `${name}: deferred to yaml (${JSON.stringify(ours)})`);
  assert(!(ours instanceof Error), `${name}: ${ours}`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  assertEquals(doc.errors, [], name);
  assertEquals(ours, documentTree(yaml, doc, lines), name);
  assertEquals(toValue(ours.root), doc.toJS(), name);
}

Deno.test("the example config reads as yaml reads it", async () => {
  const text = await Deno.readTextFile(new URL("config.example.yaml", ROOT));
  assertReadAsYaml("config.example.yaml", text);
});

Deno.test("the config and node kubeconfig install writes read as yaml reads them", () => {
  const options = { bin: "/usr/local/bin/holdfast", user: "holdfast" };
  assertReadAsYaml("install config", configFile({ ...options, servers: [] }));
  assertReadAsYaml(
    "install config with servers",
    configFile({
      ...options,
      servers: ["https://10.0.0.10:6443", "https://[fd00::1]:6443"],
      kubeconfig: "/etc/kubernetes/kubelet.conf",
      nodeName: "edge-1",
    }),
  );
  assertReadAsYaml("node kubeconfig", nodeKubeconfig("127.0.0.1:10261"));
});

Deno.test("the simulator's and the tests' kubeconfigs read as yaml reads them", () => {
  assertReadAsYaml("simulator kubeconfig", kubeconfigYaml({ server: "http://127.0.0.1:6443" }));
  assertReadAsYaml(
    "simulator kubeconfig with credentials",
    kubeconfigYaml({
      server: "https://127.0.0.1:6443",
      caCert: CERT_PEM,
      clientCert: CERT_PEM,
      clientKey: KEY_PEM,
      token: "abc.def",
      namespace: "kube-system",
    }),
  );
  assertReadAsYaml("resolve test kubeconfig", KUBECONFIG);
  assertReadAsYaml(
    "kubeconfig test kubeconfig",
    kubeconfig(
      `    server: https://10.0.0.1:6443\n    certificate-authority-data: ${btoa(CERT_PEM)}`,
      "    client-certificate: /var/lib/kubelet/pki/client.pem\n    client-key: client.key",
      "preferences: {}\n",
    ),
  );
});

Deno.test("the fixtures' Kubernetes objects as YAML read as yaml reads them", async () => {
  let files = 0;
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (!entry.name.endsWith(".yaml")) continue;
    assertReadAsYaml(entry.name, await Deno.readTextFile(new URL(entry.name, FIXTURES)));
    files++;
  }
  assert(files >= 20, `only ${files} YAML fixtures`);
});
