/**
 * A throw-away PKI for the simulator's TLS mode, made with the `openssl` command line (OpenSSL 3):
 * an EC P-256 CA, a server certificate for `localhost`, `127.0.0.1` and `::1`, and a client
 * certificate for `CN=system:node:<node>, O=system:nodes` (what a kubelet presents). Generated
 * once per process and shared by every simulator it starts, so tests pay the ~100 ms only once.
 * @module
 */

/** PEM material of the simulator's PKI. */
export interface Pki {
  /** The CA certificate that signed both the server and the client certificate. */
  caCert: string;
  /** The server certificate and key. */
  serverCert: string;
  serverKey: string;
  /** The client certificate and key (CN `system:node:<node>`, O `system:nodes`). */
  clientCert: string;
  clientKey: string;
}

const cache = new Map<string, Promise<Pki>>();

/** Returns the PKI for client identity `system:node:<node>`, generating it on first use. */
export function pkiFor(node: string): Promise<Pki> {
  let pki = cache.get(node);
  if (!pki) {
    pki = generate(node);
    cache.set(node, pki);
    pki.catch(() => cache.delete(node));
  }
  return pki;
}

/** Runs `openssl` with `args` in `cwd`, throwing with its stderr when it fails. */
export async function openssl(cwd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Makes a self-signed EC P-256 CA, `ca.crt` and `ca.key`, in `dir`. */
export async function makeCa(dir: string, commonName: string): Promise<void> {
  await openssl(dir, [
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "3650",
    "-subj",
    `/CN=${commonName}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

/**
 * Issues `<name>.crt` and `<name>.key` in `dir`, signed by the CA there, for `subject` (OpenSSL's
 * `/O=…/CN=…` form) with the X.509 extensions in `ext` (an extfile's text).
 */
export async function issue(
  dir: string,
  name: string,
  subject: string,
  ext: string,
): Promise<void> {
  await Deno.writeTextFile(`${dir}/${name}.ext`, ext);
  await openssl(dir, [
    "req",
    ...EC,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  ]);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-set_serial",
    String(Date.now()),
    "-days",
    "3650",
    "-sha256",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.crt`,
  ]);
}

async function generate(node: string): Promise<Pki> {
  const dir = await Deno.makeTempDir({ prefix: "apiserver-sim-pki-" });
  try {
    await makeCa(dir, "apiserver-sim-ca");
    await Promise.all([
      issue(
        dir,
        "server",
        "/CN=kube-apiserver",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
          "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n",
      ),
      issue(
        dir,
        "client",
        `/O=system:nodes/CN=system:node:${node}`,
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
          "extendedKeyUsage=clientAuth\n",
      ),
    ]);
    const read = (file: string) => Deno.readTextFile(`${dir}/${file}`);
    return {
      caCert: await read("ca.crt"),
      serverCert: await read("server.crt"),
      serverKey: await read("server.key"),
      clientCert: await read("client.crt"),
      clientKey: await read("client.key"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
