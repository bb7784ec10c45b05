/**
 * Kubeconfig texts the config tests read (and `yaml_files_test.ts` checks the YAML reader on).
 * @module
 */
import { CERT_PEM, KEY_PEM } from "./memory_io.ts";

/**
 * A kubeconfig of two clusters (`other`, `main`), one user (`node`) and two contexts, the current
 * one `main`; `cluster` and `user` are the indented lines of the `main` cluster and the user.
 */
export function kubeconfig(cluster: string, user: string, extra = ""): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://other:6443
- name: main
  cluster:
${cluster}
users:
- name: node
  user:
${user}
contexts:
- name: other
  context: {cluster: other, user: node}
- name: main
  context: {cluster: main, user: node}
current-context: main
${extra}`;
}

/** A kubeconfig with a CA file, an inline client certificate and key, and a token. */
export const KUBECONFIG = `clusters:
- name: c
  cluster:
    server: https://kube:6443
    certificate-authority: ca.crt
users:
- name: u
  user:
    client-certificate-data: ${btoa(CERT_PEM)}
    client-key-data: ${btoa(KEY_PEM)}
    token: kube-token
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`;
