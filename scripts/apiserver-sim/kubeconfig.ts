/**
 * A kubeconfig for the simulator, with its CA, client certificate and/or bearer token embedded,
 * for kubectl, client libraries and holdfast's own upstream configuration.
 * @module
 */
import { stringify } from "yaml";

/** What the kubeconfig carries. */
export interface KubeconfigMaterial {
  server: string;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
  namespace?: string;
  /** The name of the cluster, user and context (default `apiserver-sim`). */
  name?: string;
}

const base64 = (text: string) => btoa(text);

/** The kubeconfig YAML (cluster, user and context all named `material.name`). */
export function kubeconfigYaml(material: KubeconfigMaterial): string {
  const name = material.name ?? "apiserver-sim";
  const cluster: Record<string, string> = { server: material.server };
  if (material.caCert) cluster["certificate-authority-data"] = base64(material.caCert);
  const user: Record<string, string> = {};
  if (material.clientCert && material.clientKey) {
    user["client-certificate-data"] = base64(material.clientCert);
    user["client-key-data"] = base64(material.clientKey);
  }
  if (material.token) user.token = material.token;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{
      name,
      context: {
        cluster: name,
        user: name,
        namespace: material.namespace ?? "default",
      },
    }],
    "current-context": name,
  });
}
