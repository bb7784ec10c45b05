/**
 * Fetches Deno's own arm64 Linux build (the npm package `@deno/linux-arm64-glibc`, the one the `deno`
 * package installs on arm64) at the version running this script, into a cache outside the work
 * tree. With `qemu-user-static` and Debian's arm64 C library (`libc6-arm64-cross`) it runs holdfast's
 * bundle as an arm64 gateway would. Prints the binary's path.
 *
 * ```sh
 * deno run -A scripts/build/arm64_runtime.ts
 * ```
 * @module
 */

/** Where the arm64 `deno` of this Deno version is kept. */
export function arm64DenoPath(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`;
  return `${cache}/holdfast/deno-${Deno.version.deno}-aarch64-linux/deno`;
}

/** Downloads and unpacks the arm64 `deno` unless it is already there; returns its path. */
export async function ensureArm64Deno(): Promise<string> {
  const target = arm64DenoPath();
  try {
    await Deno.stat(target);
    return target;
  } catch {
    // not there yet
  }
  const dir = target.slice(0, target.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true });
  const work = await Deno.makeTempDir({ dir, prefix: ".fetch-" });
  try {
    const spec = `@deno/linux-arm64-glibc@${Deno.version.deno}`;
    await command("npm", ["pack", "--silent", spec], work);
    const [tarball] = [...Deno.readDirSync(work)].filter((e) => e.name.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${spec} produced no tarball`);
    await command("tar", ["xzf", tarball.name, "package/deno"], work);
    await Deno.rename(`${work}/package/deno`, target);
    return target;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

async function command(cmd: string, args: string[], cwd: string): Promise<void> {
  const output = await new Deno.Command(cmd, { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
}

if (import.meta.main) console.log(await ensureArm64Deno());
