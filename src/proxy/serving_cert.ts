/**
 * The HTTPS listener's serving certificate when the config gives none: a self-signed EC P-256
 * certificate made with `openssl` on first start and kept beside the cache (`https-serving.crt`
 * and `.key`, both `0600`), for `localhost`, the `kubernetes.default.svc` names in-cluster clients
 * use, the node's name and its addresses. Later starts reuse it.
 * @module
 */

/** PEM certificate and key. */
export interface ServingPair {
  cert: string;
  key: string;
}

/** Names every self-signed certificate is for, besides the node's name and addresses. */
const NAMES = [
  "localhost",
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
];

/** Reads the pair in `dir`, or makes it there for `nodeName` and `addresses` first. */
export async function selfSignedPair(
  dir: string,
  nodeName: string,
  addresses: readonly string[],
): Promise<ServingPair> {
  const certPath = `${dir}/https-serving.crt`;
  const keyPath = `${dir}/https-serving.key`;
  try {
    return { cert: await Deno.readTextFile(certPath), key: await Deno.readTextFile(keyPath) };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const work = await Deno.makeTempDir({ dir, prefix: ".https-serving-" });
  try {
    const names = [...new Set([...NAMES, nodeName])].map((name) => `DNS:${name}`);
    const ips = [...new Set(["127.0.0.1", "::1", ...addresses])].map((ip) => `IP:${ip}`);
    const out = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "3650",
        "-subj",
        `/CN=holdfast@${nodeName}`,
        "-addext",
        `subjectAltName=${[...names, ...ips].join(",")}`,
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "keyUsage=critical,digitalSignature",
        "-addext",
        "extendedKeyUsage=serverAuth",
      ],
      cwd: work,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `openssl could not make a certificate: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    for (const file of ["key.pem", "cert.pem"]) await Deno.chmod(`${work}/${file}`, 0o600);
    // The key first: a certificate without its key is never left in place.
    await Deno.rename(`${work}/key.pem`, keyPath);
    await Deno.rename(`${work}/cert.pem`, certPath);
    return { cert: await Deno.readTextFile(certPath), key: await Deno.readTextFile(keyPath) };
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** The node's own addresses (IPv4 and IPv6, loopback and link-local left out). */
export function nodeAddresses(): string[] {
  return Deno.networkInterfaces()
    .map((i) => i.address)
    .filter((a) => !a.startsWith("127.") && a !== "::1" && !a.toLowerCase().startsWith("fe80"));
}
