/**
 * The program as shipped: `deno bundle` proves it is self-contained (a single file that runs with
 * nothing else), and the `deno compile` binary runs when a denort base binary is available.
 */
import { assert, assertEquals } from "./assert.ts";
import { VERSION } from "../src/version.ts";
import { bundleAgent, GATEWAY_RUN_ARGS } from "../scripts/build/bundle.ts";
import { compileAgent, compileArgs } from "../scripts/build/compile.ts";

const root = new URL("../", import.meta.url);

async function run(cmd: string, args: string[]) {
  const output = await new Deno.Command(cmd, { args, cwd: root, stdin: "null" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

Deno.test("bundle: deno bundle yields one file that runs the CLI on its own", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-bundle-" });
  try {
    const out = `${dir}/holdfast.js`;
    await bundleAgent(out);
    const runBundle = (...args: string[]) =>
      run(Deno.execPath(), [...GATEWAY_RUN_ARGS, out, ...args]);
    const version = await runBundle("version");
    assertEquals(version.code, 0, version.stderr);
    assertEquals(version.stdout.trim(), `holdfast ${VERSION}`);
    // A config file holdfast's own YAML reader reads, and one it leaves to the yaml package (an
    // anchor), both checked by the bundle, where yaml is its ES module build.
    const config = `${dir}/config.yaml`;
    for (const server of ["https://10.0.0.1:6443", "&primary https://10.0.0.1:6443"]) {
      await Deno.writeTextFile(config, `servers:\n  - ${server}\nnodeName: edge-1\n`);
      const checked = await runBundle("check-config", config);
      assertEquals(checked.code, 0, checked.stderr);
      assert(checked.stdout.includes("https://10.0.0.1:6443"), checked.stdout);
      assert(checked.stdout.includes("edge-1"), checked.stdout);
    }
    // The bundle's top-level imports load with every start; the `node:` modules the source loads
    // on demand (the HTTPS listener's) must stay dynamic, and there is no `node:module` (the
    // bundler's `require` for a CommonJS package: yaml's CommonJS build, ~4 MB idle).
    const text = await Deno.readTextFile(out);
    const lazy = [...text.matchAll(/\bimport\("(node:[^"]+)"\)/g)].map((m) => m[1]);
    assert(lazy.includes("node:https"), `the HTTPS listener's modules: ${lazy}`);
    const eager = [...text.matchAll(/\bimport\s*[^;()]*?from\s*"(node:[^"]+)"/g)].map((m) => m[1]);
    assertEquals(eager, []);
    assert(!/\bimport\s*[^;()]*"node:module"/.test(text), "the bundle imports node:module");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bundle: the README's gateway wrapper starts Deno with the flags the tests and bench use", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const wrapper = readme.match(/exec \S+\/deno ([^"]*?)\S+\/holdfast\.js "\$@"/)?.[1];
  assert(wrapper !== undefined, "no gateway wrapper in the README");
  assertEquals(wrapper.replaceAll("\\\n", " ").split(/\s+/).filter(Boolean), [...GATEWAY_RUN_ARGS]);
});

Deno.test("compile: the binary is the bundle with the gateway wrapper's runtime flags baked in", () => {
  const args = compileArgs("/b/holdfast.js", "/b/holdfast", "aarch64-unknown-linux-gnu");
  assertEquals(args[0], "compile");
  assertEquals(args.at(-1), "/b/holdfast.js");
  for (const flag of GATEWAY_RUN_ARGS.slice(1)) assert(args.includes(flag), flag);
  assertEquals(args.slice(args.indexOf("--target"), args.indexOf("--target") + 2), [
    "--target",
    "aarch64-unknown-linux-gnu",
  ]);
  assert(!compileArgs("/b/holdfast.js", "/b/holdfast").includes("--target"));
});

const denort = Deno.env.get("DENORT_BIN");
if (!denort) {
  console.log(
    "skipping the compiled-binary test: DENORT_BIN is not set, and deno compile needs a denort " +
      "base binary that it downloads from Deno's download host, unreachable from this machine",
  );
}

Deno.test({
  name: "compile: the deno compile binary runs (needs DENORT_BIN)",
  ignore: !denort,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "holdfast-compile-" });
    try {
      const out = `${dir}/holdfast`;
      await compileAgent(out);
      const version = await run(out, ["version"]);
      assert(version.stdout.includes(`holdfast ${VERSION}`), version.stdout + version.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
