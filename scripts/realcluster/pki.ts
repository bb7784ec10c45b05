/**
 * The real control plane's credentials, made with `openssl` in a folder: a CA, kube-apiserver's
 * serving certificate, client certificates for an administrator (`O=system:masters`) and for a
 * node (`CN=system:node:<node>, O=system:nodes`), the service-account signing key pair and a
 * static token file with a token for each identity (administrator, node, `system:kube-proxy`).
 * @module
 */
import { issue, makeCa, openssl } from "../apiserver-sim/pki.ts";

/** One identity the cluster knows, by client certificate and by bearer token. */
export interface Identity {
  /** The user name kube-apiserver sees. */
  user: string;
  groups: string[];
  token: string;
  /** Paths of the client certificate and key (absent for token-only identities). */
  certFile?: string;
  keyFile?: string;
}

/** Paths of everything `makeClusterPki` wrote, and the identities. */
export interface ClusterPki {
  caFile: string;
  caKeyFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  serviceAccountKeyFile: string;
  serviceAccountPublicKeyFile: string;
  tokenFile: string;
  admin: Identity;
  node: Identity;
  kubeProxy: Identity;
}

/** The first address of the default service range, which the `kubernetes` Service gets. */
export const SERVICE_CIDR = "10.0.0.0/24";
const KUBERNETES_SERVICE_IP = "10.0.0.1";

function randomToken(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

const CLIENT_EXT = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
  "extendedKeyUsage=clientAuth\n";

async function clientIdentity(
  dir: string,
  name: string,
  user: string,
  groups: string[],
): Promise<Identity> {
  const subject = groups.map((g) => `/O=${g}`).join("") + `/CN=${user}`;
  await issue(dir, name, subject, CLIENT_EXT);
  return {
    user,
    groups,
    token: randomToken(),
    certFile: `${dir}/${name}.crt`,
    keyFile: `${dir}/${name}.key`,
  };
}

/** Writes the cluster's PKI, keys and token file into `dir` for the node named `nodeName`. */
export async function makeClusterPki(dir: string, nodeName: string): Promise<ClusterPki> {
  await makeCa(dir, "holdfast-realcluster-ca");
  const sans = [
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
    "IP:127.0.0.1",
    "IP:::1",
    `IP:${KUBERNETES_SERVICE_IP}`,
  ];
  const [, admin, node] = await Promise.all([
    issue(
      dir,
      "apiserver",
      "/CN=kube-apiserver",
      "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
        `extendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(",")}\n`,
    ),
    clientIdentity(dir, "admin", "holdfast-admin", ["system:masters"]),
    clientIdentity(dir, "node", `system:node:${nodeName}`, ["system:nodes"]),
    openssl(dir, [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      "sa.key",
    ]),
  ]);
  await openssl(dir, ["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
  const kubeProxy: Identity = { user: "system:kube-proxy", groups: [], token: randomToken() };
  const line = (id: Identity, uid: string) =>
    `${id.token},${id.user},${uid}` + (id.groups.length ? `,"${id.groups.join(",")}"` : "");
  const tokenFile = `${dir}/tokens.csv`;
  await Deno.writeTextFile(
    tokenFile,
    [line(admin, "uid-admin"), line(node, "uid-node"), line(kubeProxy, "uid-kube-proxy")]
      .join("\n") + "\n",
  );
  return {
    caFile: `${dir}/ca.crt`,
    caKeyFile: `${dir}/ca.key`,
    serverCertFile: `${dir}/apiserver.crt`,
    serverKeyFile: `${dir}/apiserver.key`,
    serviceAccountKeyFile: `${dir}/sa.key`,
    serviceAccountPublicKeyFile: `${dir}/sa.pub`,
    tokenFile,
    admin,
    node,
    kubeProxy,
  };
}
