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
}

const base64 = (text: string) => btoa(text);

/** The kubeconfig YAML (cluster, user and context all named `apiserver-sim`). */
export function kubeconfigYaml(material: KubeconfigMaterial): string {
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
    clusters: [{ name: "apiserver-sim", cluster }],
    users: [{ name: "apiserver-sim", user }],
    contexts: [{
      name: "apiserver-sim",
      context: {
        cluster: "apiserver-sim",
        user: "apiserver-sim",
        namespace: material.namespace ?? "default",
      },
    }],
    "current-context": "apiserver-sim",
  });
}
