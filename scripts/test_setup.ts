/**
 * Set-up run by `deno task test` before the tests: checks the tools some tests drive beyond Deno
 * and installs the missing ones from Debian packages (`apt-get`, as root or through password-less
 * `sudo`), then fetches Deno's arm64 build for the arm64 test. What it cannot install it names,
 * with the tests that are skipped for it; only a missing `openssl` stops the run (the simulator's
 * TLS, used by most end-to-end tests, needs it). kubectl has no current Debian package: install it
 * yourself to run the tests that drive it.
 *
 * ```sh
 * deno run -A scripts/test_setup.ts
 * ```
 * @module
 */

import { ensureArm64Deno } from "./build/arm64_runtime.ts";

/** A tool some tests need. */
export interface Requirement {
  /** What the tests call it. */
  tool: Tool;
  /** The Debian packages providing it (none: there is no package to install). */
  debianPackages: string[];
  /** Which tests need it. */
  usedBy: string;
  /** A command that succeeds (or at least starts) when the tool is there, or a file it installs. */
  probe: { command: string; args: string[]; anyExit?: boolean } | { file: string };
}

/** The tools tests need beyond Deno. */
export type Tool =
  | "openssl"
  | "python3-kubernetes"
  | "kubectl"
  | "nginx"
  | "wrk"
  | "qemu-arm64"
  | "systemd-analyze";

/** Every tool, in the order they are reported. */
export const REQUIREMENTS: readonly Requirement[] = [
  {
    tool: "openssl",
    debianPackages: ["openssl"],
    usedBy: "the simulator's certificates (every end-to-end test)",
    probe: { command: "openssl", args: ["version"] },
  },
  {
    tool: "python3-kubernetes",
    debianPackages: ["python3-kubernetes"],
    usedBy: "the Python client tests",
    probe: { command: "/usr/bin/python3", args: ["-c", "import kubernetes"] },
  },
  {
    tool: "kubectl",
    debianPackages: [],
    usedBy: "the kubectl tests",
    probe: { command: "kubectl", args: ["version", "--client"] },
  },
  {
    tool: "nginx",
    debianPackages: ["nginx-light"],
    usedBy: "the bench smoke run (its reverse-proxy baseline)",
    probe: { command: "/usr/sbin/nginx", args: ["-v"] },
  },
  {
    tool: "wrk",
    debianPackages: ["wrk"],
    usedBy: "the bench smoke run (its load generator)",
    probe: { command: "wrk", args: ["--version"], anyExit: true },
  },
  {
    tool: "qemu-arm64",
    debianPackages: ["qemu-user-static", "libc6-arm64-cross", "libgcc-s1-arm64-cross"],
    usedBy: "the arm64 test",
    probe: { file: "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1" },
  },
  {
    tool: "systemd-analyze",
    debianPackages: ["systemd"],
    usedBy: "the install test's unit check",
    probe: { command: "/usr/bin/systemd-analyze", args: ["--version"] },
  },
];

/** Whether `requirement`'s tool is installed. */
export function isPresent(requirement: Requirement): boolean {
  const probe = requirement.probe;
  if ("file" in probe) {
    try {
      Deno.statSync(probe.file);
      return true;
    } catch {
      return false;
    }
  }
  const { command, args, anyExit } = probe;
  try {
    const output = new Deno.Command(command, { args, stdout: "null", stderr: "null" })
      .outputSync();
    return output.success || anyExit === true;
  } catch {
    return false; // not found
  }
}

/** The requirement named `tool`. */
export function requirement(tool: Tool): Requirement {
  return REQUIREMENTS.find((r) => r.tool === tool)!;
}

function runs(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null", stdin: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** `apt-get` itself, or through password-less sudo; undefined when packages cannot be installed. */
function aptGet(): string[] | undefined {
  if (!runs("apt-get", ["--version"])) return undefined;
  if (Deno.uid() === 0) return ["apt-get"];
  if (runs("sudo", ["-n", "true"])) return ["sudo", "-n", "apt-get"];
  return undefined;
}

function install(apt: string[], packages: string[]): boolean {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const run = (args: string[]) =>
    new Deno.Command(apt[0], { args: [...apt.slice(1), ...args], env, stdin: "null" })
      .outputSync().success;
  console.error(`test set-up: installing ${packages.join(" ")}`);
  return run(["update", "-qq"]) && run(["install", "-y", "-qq", ...packages]);
}

if (import.meta.main) {
  let missing = REQUIREMENTS.filter((r) => !isPresent(r));
  const packages = missing.flatMap((r) => r.debianPackages);
  const apt = packages.length > 0 ? aptGet() : undefined;
  if (apt && install(apt, packages)) missing = missing.filter((r) => !isPresent(r));
  for (const r of missing) {
    const how = r.debianPackages.length > 0
      ? `apt-get install ${r.debianPackages.join(" ")} (as root)`
      : "install it from https://kubernetes.io/docs/tasks/tools/";
    console.error(`test set-up: ${r.tool} is missing (${how}); skipping ${r.usedBy}`);
  }
  if (missing.some((r) => r.tool === "openssl")) {
    console.error("test set-up: openssl is required; the tests cannot run without it");
    Deno.exit(1);
  }
  if (!missing.some((r) => r.tool === "qemu-arm64")) {
    try {
      await ensureArm64Deno();
    } catch (error) {
      console.error(
        `test set-up: cannot fetch Deno's arm64 build (${error}); skipping the arm64 test`,
      );
    }
  }
}
