import assert from "node:assert/strict";
import { errorText, isSecretKey, REDACTED, safeJson, safeValue } from "../../src/log/redact.ts";

Deno.test("isSecretKey matches secret words at the end of any naming style", () => {
  for (
    const name of [
      "authorization",
      "Authorization",
      "token",
      "x-auth-token",
      "clientKey",
      "client_key",
      "password",
      "caCert",
      "secret",
      "set-cookie",
    ]
  ) {
    assert.equal(isSecretKey(name), true, name);
  }
});

Deno.test("isSecretKey leaves names that merely mention a secret word", () => {
  for (const name of ["tokenFile", "certFile", "keys", "keyCount", "monkey", "verb", "msg"]) {
    assert.equal(isSecretKey(name), false, name);
  }
});

Deno.test("safeValue redacts bearer and basic credentials and private keys by value", () => {
  assert.equal(safeValue("note", "Bearer abc"), REDACTED);
  assert.equal(safeValue("note", "basic dXNlcjpwdw=="), REDACTED);
  assert.equal(safeValue("pem", "-----BEGIN RSA PRIVATE KEY-----\n"), REDACTED);
  assert.equal(safeValue("note", "bearers"), "bearers");
});

Deno.test("safeJson redacts nested secret keys inside objects and Headers", () => {
  const headers = new Headers({ authorization: "Bearer x", "user-agent": "kubelet/v1.30" });
  assert.equal(
    safeJson("headers", headers),
    `{"authorization":"${REDACTED}","user-agent":"kubelet/v1.30"}`,
  );
  assert.equal(safeJson("req", { auth: { password: "pw" } }), `{"auth":"${REDACTED}"}`);
});

Deno.test("errorText follows a chain of causes and non-Error causes", () => {
  const err = new Error("a", { cause: new RangeError("b", { cause: { code: 7 } }) });
  assert.equal(errorText(err), 'a (cause: RangeError: b) (cause: {"code":7})');
});

Deno.test("errorText stops on a cause cycle", () => {
  const err = new Error("loop");
  (err as { cause?: unknown }).cause = err;
  assert.match(errorText(err), /^loop( \(cause: loop\))+$/);
});
