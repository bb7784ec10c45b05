import { assert, assertEquals } from "../assert.ts";
import { pkiFor } from "../../scripts/apiserver-sim/pki.ts";
import { NodeIdentity } from "../../src/upstream/identity.ts";
import { clientPairFiles } from "../proxy/identity_fixture.ts";

function recorder() {
  const seen = { rotated: [] as string[][], errors: [] as string[] };
  return {
    seen,
    options: {
      onRotate: (files: string[]) => seen.rotated.push(files),
      onError: (message: string) => seen.errors.push(message),
    },
  };
}

Deno.test("identity: a rewritten token file is used from the next check; a blank one keeps the old", async () => {
  const dir = await Deno.makeTempDir();
  const tokenFile = `${dir}/token`;
  await Deno.writeTextFile(tokenFile, "one\n");
  const identity = new NodeIdentity({ token: "one", tokenFile });
  const { seen, options } = recorder();
  try {
    await identity.check(options);
    assertEquals(identity.nodeAuthorization, "Bearer one");
    assertEquals(seen, { rotated: [], errors: [] });

    await Deno.writeTextFile(tokenFile, "two\n");
    await identity.check(options);
    assertEquals(identity.nodeAuthorization, "Bearer two");
    assertEquals(seen.rotated, [[tokenFile]]);

    // Caught half-written (truncated): the old token stays, the problem is told once.
    await Deno.writeTextFile(tokenFile, "");
    await identity.check(options);
    await identity.check(options);
    assertEquals(identity.nodeAuthorization, "Bearer two");
    assertEquals(seen.errors, [`token file "${tokenFile}" is empty`]);

    await Deno.writeTextFile(tokenFile, "three");
    await identity.check(options);
    assertEquals(identity.nodeAuthorization, "Bearer three");
  } finally {
    await identity.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("identity: a rotated certificate is used once its key matches; the plain client never has it", async () => {
  const [a, b] = await Promise.all([pkiFor("rotate-a"), pkiFor("rotate-b")]);
  const { dir, clientCertFile, clientKeyFile } = await clientPairFiles(a);
  const identity = new NodeIdentity({
    clientCert: a.clientCert,
    clientCertFile,
    clientKey: a.clientKey,
    clientKeyFile,
  });
  const { seen, options } = recorder();
  try {
    const first = identity.nodeClient;
    assert(identity.plainClient !== first, "the plain client is the node's");
    await identity.check(options);
    assert(identity.nodeClient === first, "an unchanged certificate made a new client");

    // The certificate is replaced before its key: the pair does not match yet.
    await Deno.writeTextFile(clientCertFile, b.clientCert);
    await identity.check(options);
    assert(identity.nodeClient === first, "a mismatched pair was put to use");
    assertEquals(seen.errors.length, 1);

    await Deno.writeTextFile(clientKeyFile, b.clientKey);
    await identity.check(options);
    assert(identity.nodeClient !== first, "the rotated certificate was not put to use");
    assertEquals(seen.rotated, [[clientCertFile, clientKeyFile]]);
  } finally {
    await identity.close();
    await Deno.remove(dir, { recursive: true });
  }
});
