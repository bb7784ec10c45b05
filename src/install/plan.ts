/**
 * What `holdfast install` puts on a node, as data: the systemd unit, the system user, the config
 * file and the kubeconfig that points the node's components at holdfast. Pure: the command that
 * writes these files is `src/cli/install_command.ts`.
 * @module
 */
import { parseDocument } from "yaml";
import example from "../../config.example.yaml" with { type: "text" };
import { DEFAULTS } from "../config/fields.ts";
import { AGENT_V8_FLAGS_VALUE } from "../process/v8_flags.ts";

/** Where things go on the node (paths as seen from the node's `/`). */
export const INSTALL_PATHS = {
  unit: "/etc/systemd/system/holdfast.service",
  sysusers: "/usr/lib/sysusers.d/holdfast.conf",
  config: "/etc/holdfast/config.yaml",
  nodeKubeconfig: "/etc/holdfast/node.kubeconfig",
  stateDir: "/var/lib/holdfast",
} as const;

/** The operator's choices for an install. */
export interface InstallOptions {
  /** The holdfast executable the service runs. */
  bin: string;
  /** The system user the service runs as (`root` runs without a dedicated user). */
  user: string;
  /** Upstream servers to write into the config (empty: taken from the kubeconfig). */
  servers: string[];
  /** The kubeconfig holding the upstream server, CA and node credentials. */
  kubeconfig?: string;
  /** The node's name, when not the host name. */
  nodeName?: string;
}

/** One file of an install. */
export interface InstallFile {
  /** Absolute path on the node. */
  path: string;
  content: string;
  mode: number;
  /** An existing file is the operator's: left as it is. */
  keepExisting: boolean;
}

/** The files an install writes, in order. */
export function installFiles(options: InstallOptions): InstallFile[] {
  const files: InstallFile[] = [
    { path: INSTALL_PATHS.unit, content: systemdUnit(options), mode: 0o644, keepExisting: false },
    {
      path: INSTALL_PATHS.config,
      content: configFile(options),
      mode: 0o640,
      keepExisting: true,
    },
    {
      path: INSTALL_PATHS.nodeKubeconfig,
      content: nodeKubeconfig(DEFAULTS.listen as string),
      mode: 0o644,
      keepExisting: false,
    },
  ];
  if (options.user !== "root") {
    files.push({
      path: INSTALL_PATHS.sysusers,
      content: sysusersEntry(options.user),
      mode: 0o644,
      keepExisting: false,
    });
  }
  return files;
}

/** The paths `holdfast uninstall` removes; `purge` adds the config and the cache. */
export function uninstallPaths(purge: boolean): string[] {
  const paths: string[] = [
    INSTALL_PATHS.unit,
    INSTALL_PATHS.sysusers,
    INSTALL_PATHS.nodeKubeconfig,
  ];
  return purge ? [...paths, INSTALL_PATHS.config, INSTALL_PATHS.stateDir] : paths;
}

/**
 * The systemd unit: restarted always, many open files (one per watch), the cache in its
 * `StateDirectory`, and a sandbox that leaves the service only its state directory to write.
 */
export function systemdUnit(options: InstallOptions): string {
  const user = options.user === "root" ? [] : [`User=${options.user}`, `Group=${options.user}`];
  return [
    "[Unit]",
    "Description=holdfast: keeps this Kubernetes edge node working when its cloud link drops",
    "Wants=network-online.target",
    "After=network-online.target",
    "Before=kubelet.service",
    "",
    "[Service]",
    "Type=exec",
    ...user,
    `ExecStart=${options.bin} run --config ${INSTALL_PATHS.config}`,
    // SIGHUP re-reads the config: log level, health checks and cached components, live.
    "ExecReload=/bin/kill -HUP $MAINPID",
    // Deno's own cache (its analysis of the bundle) lives with the state, the one place the
    // service may write.
    "Environment=DENO_DIR=%S/holdfast/deno DENO_NO_UPDATE_CHECK=1",
    // V8 sized for a small resident set (see process/v8_flags.ts).
    `Environment=DENO_V8_FLAGS=${AGENT_V8_FLAGS_VALUE}`,
    "Restart=always",
    "RestartSec=2",
    // The agent flushes its cache and closes watches on SIGTERM; give it time, then kill.
    "TimeoutStopSec=15",
    "LimitNOFILE=65536",
    "StateDirectory=holdfast",
    "StateDirectoryMode=0700",
    "ConfigurationDirectory=holdfast",
    "UMask=0077",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectControlGroups=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "CapabilityBoundingSet=",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** A systemd-sysusers entry creating the service's system user and group. */
export function sysusersEntry(user: string): string {
  return `u ${user} - "holdfast edge agent" ${INSTALL_PATHS.stateDir}\n`;
}

/**
 * The config file: the documented example with the operator's servers, kubeconfig and node name
 * filled in (its comments kept), and the cache in the service's state directory.
 */
export function configFile(options: InstallOptions): string {
  const doc = parseDocument(example);
  if (options.servers.length > 0) doc.set("servers", options.servers);
  else doc.delete("servers");
  if (options.kubeconfig) doc.set("kubeconfig", options.kubeconfig);
  if (options.nodeName) doc.set("nodeName", options.nodeName);
  else doc.delete("nodeName");
  doc.set("cachePath", `${INSTALL_PATHS.stateDir}/cache.kv`);
  return doc.toString();
}

/** A kubeconfig whose only cluster is holdfast's listener at `listen` (HOST:PORT). */
export function nodeKubeconfig(listen: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: holdfast",
    "    cluster:",
    `      server: http://${listen}`,
    "contexts:",
    "  - name: holdfast",
    "    context:",
    "      cluster: holdfast",
    "current-context: holdfast",
    "",
  ].join("\n");
}

/** The lines an operator adds to kubelet and kube-proxy so that they talk through holdfast. */
export function componentHints(): string[] {
  const kubeconfig = INSTALL_PATHS.nodeKubeconfig;
  return [
    `kubelet:    --kubeconfig=${kubeconfig}`,
    `kube-proxy: --kubeconfig=${kubeconfig}   (or clientConnection.kubeconfig in its config file)`,
  ];
}
