/**
 * `holdfast install` and `holdfast uninstall`: make holdfast a systemd service on this node (or,
 * with `--root DIR`, into a staging tree), and undo it. Neither starts nor stops anything: they
 * print the `systemctl` lines to run.
 * @module
 */
import type { InstallFile } from "../install/plan.ts";
import type { CommandSpec, OptionValues } from "./args.ts";
import type { CliContext } from "./context.ts";

const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

interface InstallFlags {
  root: string;
  bin: string;
  user: string;
  server: string[];
  kubeconfig?: string;
  nodeName?: string;
}

/**
 * What `install` writes, loaded when it runs: the plan edits `config.example.yaml` with the
 * `yaml` package, which no other command should load.
 */
const plan = () => import("../install/plan.ts");

/** The `install` command: exit 0 when written, 2 on a bad option, 1 when a file cannot be written. */
export function installCommand(ctx: CliContext): CommandSpec {
  return {
    name: "install",
    description: "install holdfast as a systemd service (unit, user, config, node kubeconfig)",
    options: [
      {
        flag: "--root",
        arg: "DIR",
        help: "write into DIR instead of / (a staging tree)",
        default: "/",
      },
      {
        flag: "--bin",
        arg: "PATH",
        help: "the holdfast executable the service runs",
        default: "/usr/local/bin/holdfast",
      },
      {
        flag: "--user",
        arg: "NAME",
        help: "system user the service runs as (root: none)",
        default: "holdfast",
      },
      {
        flag: "--server",
        arg: "URL",
        help: "upstream kube-apiserver (repeatable)",
        repeatable: true,
        default: [],
      },
      {
        flag: "--kubeconfig",
        arg: "FILE",
        help: "kubeconfig with the upstream server and node credentials",
      },
      { flag: "--node-name", arg: "NAME", help: "this node's name (default: the host name)" },
    ],
    action: async (_args, options) => {
      const flags = installFlags(options);
      const problem = checkFlags(flags);
      if (problem) {
        ctx.err(`holdfast: install: ${problem}\n`);
        ctx.exitCode = 2;
        return;
      }
      const { componentHints, INSTALL_PATHS, installFiles } = await plan();
      const files = installFiles({
        bin: flags.bin,
        user: flags.user,
        servers: flags.server,
        kubeconfig: flags.kubeconfig,
        nodeName: flags.nodeName,
      });
      for (const file of files) {
        const wrote = await writeFile(flags.root, file);
        ctx.out(`${wrote ? "wrote" : "kept "} ${under(flags.root, file.path)}\n`);
      }
      const live = flags.root === "/";
      ctx.out(nextSteps(live, flags.user, INSTALL_PATHS.config, componentHints()));
      ctx.exitCode = 0;
    },
  };
}

/** The `uninstall` command: removes what `install` wrote; `--purge` also the config and cache. */
export function uninstallCommand(ctx: CliContext): CommandSpec {
  return {
    name: "uninstall",
    description: "remove the systemd service that `holdfast install` wrote",
    options: [
      { flag: "--root", arg: "DIR", help: "remove from DIR instead of /", default: "/" },
      { flag: "--purge", help: "also remove the config file and the cache" },
    ],
    action: async (_args, options) => {
      const root = options["--root"] as string;
      const { uninstallPaths } = await plan();
      if (root === "/") ctx.out("first: systemctl disable --now holdfast\n");
      for (const path of uninstallPaths(options["--purge"] === true)) {
        const target = under(root, path);
        try {
          await Deno.remove(target, { recursive: true });
          ctx.out(`removed ${target}\n`);
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
      if (root === "/") ctx.out("then:  systemctl daemon-reload\n");
      ctx.exitCode = 0;
    },
  };
}

function installFlags(options: OptionValues): InstallFlags {
  return {
    root: options["--root"] as string,
    bin: options["--bin"] as string,
    user: options["--user"] as string,
    server: options["--server"] as string[],
    kubeconfig: options["--kubeconfig"] as string | undefined,
    nodeName: options["--node-name"] as string | undefined,
  };
}

function checkFlags(flags: InstallFlags): string | undefined {
  if (flags.server.length === 0 && !flags.kubeconfig) {
    return "--server or --kubeconfig is needed: the service must know its upstream";
  }
  for (const server of flags.server) {
    if (!URL.canParse(server) || !/^https?:$/.test(new URL(server).protocol)) {
      return `--server: "${server}" is not an https:// (or http://) URL`;
    }
  }
  if (!flags.bin.startsWith("/")) return `--bin: "${flags.bin}" must be an absolute path`;
  if (flags.kubeconfig && !flags.kubeconfig.startsWith("/")) {
    return `--kubeconfig: "${flags.kubeconfig}" must be an absolute path`;
  }
  if (!USER_NAME.test(flags.user)) return `--user: "${flags.user}" is not a valid user name`;
}

function under(root: string, path: string): string {
  return root === "/" ? path : `${root.replace(/\/+$/, "")}${path}`;
}

/** Writes `file` under `root`; false when an operator's file was kept. */
async function writeFile(root: string, file: InstallFile): Promise<boolean> {
  const target = under(root, file.path);
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
  try {
    await Deno.writeTextFile(target, file.content, {
      mode: file.mode,
      createNew: file.keepExisting,
    });
  } catch (error) {
    if (file.keepExisting && error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
  await Deno.chmod(target, file.mode);
  return true;
}

function nextSteps(live: boolean, user: string, config: string, hints: string[]): string {
  const lines = [
    "",
    `check the config:  holdfast check-config ${config}`,
  ];
  if (user !== "root") {
    lines.push(
      `the service runs as "${user}": it must be able to read the upstream credentials named in`,
      "  the config (e.g. kubelet's client certificate); use --user root where it cannot",
      live ? "create the user:   systemd-sysusers" : "",
    );
  }
  if (live) {
    lines.push("start it:          systemctl daemon-reload && systemctl enable --now holdfast");
  }
  lines.push(
    "then point the node's components at holdfast:",
    ...hints.map((l) => `  ${l}`),
  );
  return `${lines.filter((l) => l !== "").join("\n")}\n`;
}
