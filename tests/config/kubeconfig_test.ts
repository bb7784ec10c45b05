import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { type KubeconfigAuth, parseKubeconfig } from "../../src/config/kubeconfig.ts";
import { kubeconfig } from "./kubeconfigs.ts";
import { CERT_PEM, KEY_PEM } from "./memory_io.ts";

const PATH = "/etc/kubernetes/kubelet.conf";

async function parsed(text: string): Promise<KubeconfigAuth> {
  const result = await parseKubeconfig(text, PATH);
  if (result instanceof ConfigError) throw new Error(result.toString());
  return result;
}

async function failure(text: string): Promise<ConfigError> {
  const result = await parseKubeconfig(text, PATH);
  assert.ok(result instanceof ConfigError, "expected a ConfigError");
  assert.equal(result.field, "kubeconfig");
  assert.equal(result.source, PATH);
  return result;
}

Deno.test("parseKubeconfig decodes inline -data for CA, certificate and key", async () => {
  const auth = await parsed(kubeconfig(
    `    server: https://10.0.0.1:6443\n    certificate-authority-data: ${btoa(CERT_PEM)}`,
    `    client-certificate-data: ${btoa(CERT_PEM)}\n    client-key-data: ${btoa(KEY_PEM)}`,
  ));
  assert.deepEqual(auth, {
    server: "https://10.0.0.1:6443",
    ca: { data: CERT_PEM },
    cert: { data: CERT_PEM },
    key: { data: KEY_PEM },
  });
});

Deno.test("parseKubeconfig resolves relative file references against its folder", async () => {
  const auth = await parsed(kubeconfig(
    "    server: https://10.0.0.1:6443\n    certificate-authority: pki/ca.crt",
    "    client-certificate: /var/lib/kubelet/pki/client.pem\n    client-key: client.key",
  ));
  assert.deepEqual(auth.ca, { file: "/etc/kubernetes/pki/ca.crt" });
  assert.deepEqual(auth.cert, { file: "/var/lib/kubelet/pki/client.pem" });
  assert.deepEqual(auth.key, { file: "/etc/kubernetes/client.key" });
});

Deno.test("parseKubeconfig prefers -data over the file of the same item", async () => {
  const auth = await parsed(kubeconfig(
    `    server: https://a:6443\n    certificate-authority: ca.crt\n    certificate-authority-data: ${
      btoa(CERT_PEM)
    }`,
    "    token: t",
  ));
  assert.deepEqual(auth.ca, { data: CERT_PEM });
});

Deno.test("parseKubeconfig reads an inline token", async () => {
  assert.equal(
    (await parsed(kubeconfig("    server: https://a:6443", "    token: abc.def"))).token,
    "abc.def",
  );
});

Deno.test("parseKubeconfig reads a tokenFile", async () => {
  const auth = await parsed(kubeconfig("    server: https://a:6443", "    tokenFile: token"));
  assert.equal(auth.tokenFile, "/etc/kubernetes/token");
  assert.equal(auth.token, undefined);
});

Deno.test("parseKubeconfig follows current-context, not the first context", async () => {
  assert.equal(
    (await parsed(kubeconfig("    server: https://main:6443", "    token: t"))).server,
    "https://main:6443",
  );
});

Deno.test("parseKubeconfig uses the only context when current-context is unset", async () => {
  const auth = await parsed(`clusters:
- name: c
  cluster: {server: "https://solo:6443"}
contexts:
- name: only
  context: {cluster: c}
`);
  assert.deepEqual(auth, { server: "https://solo:6443" });
});

Deno.test("parseKubeconfig rejects a current-context that does not exist", async () => {
  const err = await failure(
    kubeconfig("    server: https://a:6443", "    token: t").replace(
      "current-context: main",
      "current-context: gone",
    ),
  );
  assert.match(err.message, /current-context "gone" is not among its contexts/);
});

Deno.test("parseKubeconfig rejects a context naming a missing cluster", async () => {
  assert.match(
    (await failure("contexts:\n- name: x\n  context: {cluster: nope}\ncurrent-context: x\n"))
      .message,
    /cluster "nope" \(of context "x"\) is not among its clusters/,
  );
});

Deno.test("parseKubeconfig rejects a client certificate without a key", async () => {
  const err = await failure(
    kubeconfig("    server: https://a:6443", `    client-certificate-data: ${btoa(CERT_PEM)}`),
  );
  assert.match(err.message, /user "node": client-certificate has no client-key/);
});

Deno.test("parseKubeconfig rejects -data that is not base64", async () => {
  const err = await failure(
    kubeconfig("    server: https://a:6443\n    certificate-authority-data: '%%%'", "    token: t"),
  );
  assert.match(err.message, /certificate-authority-data is not valid base64/);
});

Deno.test("parseKubeconfig rejects exec credential plugins it cannot run", async () => {
  const err = await failure(kubeconfig("    server: https://a:6443", "    exec: {command: aws}"));
  assert.match(err.message, /exec is not supported/);
});

Deno.test("parseKubeconfig rejects insecure-skip-tls-verify", async () => {
  const err = await failure(
    kubeconfig("    server: https://a:6443\n    insecure-skip-tls-verify: true", "    token: t"),
  );
  assert.match(err.message, /insecure-skip-tls-verify is not supported/);
});

Deno.test("parseKubeconfig reports invalid YAML with its line", async () => {
  assert.match((await failure("clusters: [\n")).message, /^invalid YAML at line 2/);
});
