/**
 * Builds, or reuses from the cache, the real control plane's binaries: `kube-apiserver` from the Go
 * module `k8s.io/kubernetes` (`kube/go.mod`, every `k8s.io/*` staging module replaced by its
 * published v0.x twin) and `etcd` from `go.etcd.io/etcd/server/v3` (`etcd/go.mod`). The versions
 * are the ones those go.mod files require. Binaries live under `~/.cache/holdfast/realcluster/`
 * (or `$XDG_CACHE_HOME/holdfast/realcluster/`), in a folder named by version and by a digest of the
 * module folder's files (go.mod, go.sum, local sources) and the build flags, so a second run finds
 * them at once and any change to what they are built from builds anew.
 *
 * Builds are gentle on a shared machine: `nice -n 19`, `GOMAXPROCS=1` and `go build -p <jobs>`
 * (default 1).
 * @module
 */

/** One binary built from a Go module under this folder. */
export interface GoBinary {
  /** File name of the binary, e.g. `kube-apiserver`. */
  name: string;
  /** Folder (under `scripts/realcluster/`) holding the go.mod it is built from. */
  moduleDir: string;
  /** Go package path of its `main`. */
  pkg: string;
  /** The required module whose version names the binary, e.g. `k8s.io/kubernetes`. */
  versionModule: string;
  /** `-ldflags` for a given version. */
  ldflags: (version: string) => string;
}

/** kube-apiserver, stamped with its version as Kubernetes' own build does. */
export const KUBE_APISERVER: GoBinary = {
  name: "kube-apiserver",
  moduleDir: "kube",
  pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
  versionModule: "k8s.io/kubernetes",
  ldflags: (version) => {
    const [major, minor] = version.replace(/^v/, "").split(".");
    const stamp = (pkg: string) =>
      [
        `-X ${pkg}.gitVersion=${version}`,
        `-X ${pkg}.gitMajor=${major}`,
        `-X ${pkg}.gitMinor=${minor}`,
        `-X ${pkg}.gitTreeState=clean`,
      ].join(" ");
    return `-s -w ${stamp("k8s.io/component-base/version")} ${
      stamp("k8s.io/client-go/pkg/version")
    }`;
  },
};

/** etcd, the server module's own `main`. */
export const ETCD: GoBinary = {
  name: "etcd",
  moduleDir: "etcd",
  pkg: "go.etcd.io/etcd/server/v3",
  versionModule: "go.etcd.io/etcd/server/v3",
  ldflags: () => "-s -w",
};

/** The client-go program acting as a node's kubelet and kube-proxy (`nodeclient/main.go`). */
export const NODECLIENT: GoBinary = {
  name: "nodeclient",
  moduleDir: "nodeclient",
  pkg: ".",
  versionModule: "k8s.io/client-go",
  ldflags: () => "-s -w",
};

/** Where a binary is, or will be, and how it is built. */
export interface BinaryPlan {
  binary: GoBinary;
  /** The version of `binary.versionModule` that go.mod requires. */
  version: string;
  /** The cached binary's path. */
  path: string;
  /** The module folder to build in. */
  cwd: string;
  /** The build command (program first), writing to `output`. */
  command: (output: string) => string[];
  /** Environment added to the build's. */
  env: Record<string, string>;
}

const here = new URL(".", import.meta.url).pathname;

/** The cache root: `$XDG_CACHE_HOME/holdfast/realcluster` or `~/.cache/holdfast/realcluster`. */
export function cacheRoot(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const base = xdg ? xdg : `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${base}/holdfast/realcluster`;
}

/** Reads the version of `module` that the go.mod text requires. */
export function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m"));
  if (!match) throw new Error(`go.mod requires no version of ${module}`);
  return match[1];
}

/** Every file of the module folder (go.mod, go.sum, any local Go source), in name order. */
async function moduleSources(dir: string): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) if (entry.isFile) names.push(entry.name);
  names.sort();
  const texts = await Promise.all(names.map((name) => Deno.readTextFile(`${dir}/${name}`)));
  return names.map((name, i) => `${name}\0${texts[i]}`).join("\0");
}

async function digest(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(bytes).slice(0, 6), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Works out the version, cache path and build command of `binary`, building nothing. */
export async function planBinary(binary: GoBinary, jobs = 1): Promise<BinaryPlan> {
  const cwd = `${here}${binary.moduleDir}`;
  const goMod = await Deno.readTextFile(`${cwd}/go.mod`);
  const version = requiredVersion(goMod, binary.versionModule);
  const ldflags = binary.ldflags(version);
  const key = await digest(`${await moduleSources(cwd)}\0${ldflags}`);
  const path = `${cacheRoot()}/${binary.name}-${version}-${key}/${binary.name}`;
  return {
    binary,
    version,
    path,
    cwd,
    command: (output) => [
      "nice",
      "-n",
      "19",
      "go",
      "build",
      "-p",
      String(jobs),
      "-trimpath",
      "-ldflags",
      ldflags,
      "-o",
      output,
      binary.pkg,
    ],
    env: {
      GOMAXPROCS: "1",
      CGO_ENABLED: "0",
      GOTOOLCHAIN: "local",
      GOFLAGS: "-mod=readonly -buildvcs=false",
    },
  };
}

/** A shell-pasteable rendering of the plan's build command. */
export function describeBuild(plan: BinaryPlan): string {
  const quote = (arg: string) => /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`;
  const env = Object.entries(plan.env).map(([k, v]) => `${k}=${quote(v)}`).join(" ");
  return `cd ${plan.cwd} && ${env} ${plan.command(plan.path).map(quote).join(" ")}`;
}

/** What `ensureBinary` did. */
export interface EnsuredBinary {
  path: string;
  version: string;
  /** Seconds the build took, or undefined when the cached binary was reused. */
  builtSeconds?: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Returns the cached binary, building it first when it is missing. The build writes to a temporary
 * name and renames it into place, so an interrupted build never leaves a broken binary behind.
 */
export async function ensureBinary(
  plan: BinaryPlan,
  log: (line: string) => void = () => {},
): Promise<EnsuredBinary> {
  if (await exists(plan.path)) return { path: plan.path, version: plan.version };
  const folder = plan.path.slice(0, plan.path.lastIndexOf("/"));
  await Deno.mkdir(folder, { recursive: true });
  const output = `${plan.path}.${Deno.pid}.tmp`;
  log(`building ${plan.binary.name} ${plan.version} (first run only): ${describeBuild(plan)}`);
  const started = performance.now();
  const [program, ...args] = plan.command(output);
  const result = await new Deno.Command(program, {
    args,
    cwd: plan.cwd,
    env: plan.env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!result.success) {
    await Deno.remove(output).catch(() => {});
    throw new Error(`building ${plan.binary.name} failed (exit ${result.code})`);
  }
  await Deno.rename(output, plan.path);
  const builtSeconds = (performance.now() - started) / 1000;
  log(`built ${plan.path} in ${builtSeconds.toFixed(0)} s`);
  return { path: plan.path, version: plan.version, builtSeconds };
}

/** The plans of the three binaries the real-cluster tests need, and those not built yet. */
export async function cachedBinaries(): Promise<{
  kubeApiserver: BinaryPlan;
  etcd: BinaryPlan;
  nodeclient: BinaryPlan;
  /** `name version (path)` of each binary missing from the cache. */
  missing: string[];
}> {
  const [kubeApiserver, etcd, nodeclient] = await Promise.all(
    [KUBE_APISERVER, ETCD, NODECLIENT].map((binary) => planBinary(binary)),
  );
  const missing = [];
  for (const plan of [kubeApiserver, etcd, nodeclient]) {
    if (!await exists(plan.path)) {
      missing.push(`${plan.binary.name} ${plan.version} (${plan.path})`);
    }
  }
  return { kubeApiserver, etcd, nodeclient, missing };
}
