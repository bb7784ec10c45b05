/**
 * OpenYurt's YurtHub for the bench's YurtHub column: finds the binary cached under
 * `~/.cache/holdfast/yurthub-<version>/`, or builds it there from the Go module
 * `github.com/openyurtio/openyurt` (this folder's `go.mod` pins the version and mirrors its
 * `replace` lines) with the lowest CPU priority on one core, so a shared machine stays usable.
 *
 * Usage: `deno run -A scripts/bench/yurthub/build.ts` builds (or finds) it and prints its path.
 * @module
 */

/** The OpenYurt release built (the newest the Go module proxy serves). */
export const YURTHUB_VERSION = "v1.7.0";

/** The binary, or why there is none. */
export type YurthubBinary = { path: string } | { missing: string };

/** The folder the binary is cached in (outside the work tree). */
export function yurthubCacheDir(version = YURTHUB_VERSION): string {
  const home = Deno.env.get("HOME") ?? "/root";
  return `${home}/.cache/holdfast/yurthub-${version}`;
}

/** The `go build` arguments, run in this folder. */
export function buildArgs(output: string, version = YURTHUB_VERSION): string[] {
  return [
    "build",
    "-p",
    "1",
    "-trimpath",
    "-buildvcs=false",
    "-ldflags",
    `-s -w -X github.com/openyurtio/openyurt/pkg/projectinfo.gitVersion=${version}`,
    "-o",
    output,
    "github.com/openyurtio/openyurt/cmd/yurthub",
  ];
}

/** A first build on a quiet 2-core machine takes minutes; give up well past that. */
const BUILD_TIMEOUT_MS = 60 * 60_000;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * The cached binary; when there is none and `build` is set, builds it (logging progress),
 * otherwise says why there is none. Never throws: a failed build is a `missing` reason.
 */
export async function locateYurthub(
  options: { build: boolean; log?: (line: string) => void; cacheDir?: string },
): Promise<YurthubBinary> {
  const dir = options.cacheDir ?? yurthubCacheDir();
  const path = `${dir}/yurthub`;
  if (await isFile(path)) return { path };
  if (!options.build) {
    return {
      missing: `not built: no cached binary at ${path}, and this run does not build it ` +
        "(a full run does; or run scripts/bench/yurthub/build.ts)",
    };
  }
  const log = options.log ?? (() => {});
  const tmp = `${path}.tmp`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    log(`building YurtHub ${YURTHUB_VERSION} into ${path} (nice 19, one core; minutes)…`);
    const started = performance.now();
    const output = await new Deno.Command("nice", {
      args: ["-n", "19", "go", ...buildArgs(tmp)],
      cwd: new URL(".", import.meta.url).pathname,
      env: { GOMAXPROCS: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(BUILD_TIMEOUT_MS),
    }).output();
    if (!output.success) {
      const lines = new TextDecoder().decode(output.stderr).trim().split("\n");
      return { missing: `not built: go build failed: ${lines.slice(-3).join(" / ")}` };
    }
    await Deno.rename(tmp, path);
    log(`built YurtHub in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return { path };
  } catch (error) {
    await Deno.remove(tmp).catch(() => undefined);
    const reason = error instanceof Deno.errors.NotFound
      ? "the go command is not installed"
      : (error as Error).message;
    return { missing: `not built: ${reason}` };
  }
}

if (import.meta.main) {
  const found = await locateYurthub({ build: true, log: (line) => console.error(line) });
  if ("missing" in found) {
    console.error(found.missing);
    Deno.exit(1);
  }
  console.log(found.path);
}
