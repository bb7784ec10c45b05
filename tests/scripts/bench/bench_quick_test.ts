import { assert, assertEquals, assertRejects } from "../../assert.ts";
import type { BenchContext } from "../../../scripts/bench/lib/measure.ts";
import type { RunDocument } from "../../../scripts/bench/lib/report.ts";
import { MEASURES, QUICK } from "../../../scripts/bench/main.ts";
import { testWith } from "../../requirements.ts";

/** The tests here that drive nginx, wrk: skipped, saying so, where it is missing. */
const test = testWith("nginx", "wrk");

const REPO = new URL("../../../", import.meta.url).pathname;

function planned() {
  const ctx: BenchContext = {
    quick: true,
    profile: false,
    repoRoot: REPO,
    runDir: "",
    sizes: QUICK,
  };
  return MEASURES.flatMap((measure) => measure.plan(ctx));
}

function plannedIds(): string[] {
  return planned().map((row) => row.id);
}

test("bench --quick: runs to the end and produces every metric row", async () => {
  const out = await Deno.makeTempDir({ prefix: "holdfast-bench-test-" });
  try {
    // An empty YurtHub folder: --quick never builds, so the YurtHub cells must say why not.
    const yurthubDir = `${out}/no-yurthub`;
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/bench/main.ts",
        "--quick",
        `--out=${out}`,
        `--yurthub-dir=${yurthubDir}`,
      ],
      cwd: REPO,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(170_000),
    }).output();
    const stdout = new TextDecoder().decode(result.stdout);
    const stderr = new TextDecoder().decode(result.stderr);
    assertEquals(result.code, 0, `${stdout}\n${stderr}`);
    const doc: RunDocument = JSON.parse(await Deno.readTextFile(`${out}/latest-quick.json`));
    assertEquals(doc.mode, "quick");
    const ids = doc.rows.map((row) => row.id);
    // Every row with a YurtHub cell says why it is empty, even when its measurement failed.
    const peers = planned().filter((row) => row.peer).map((row) => row.id);
    assertEquals(peers.length, 10);
    assertEquals(ids, plannedIds());
    for (const row of doc.rows) {
      assert(stdout.includes(`| ${row.metric}`), `table has no line for ${row.metric}`);
      const hub = row.yurthub;
      if (peers.includes(row.id)) {
        assert(
          typeof hub === "string" && hub.startsWith(`not built: no cached binary at ${yurthubDir}`),
          `${row.id}: ${JSON.stringify(hub)}`,
        );
      } else assertEquals(hub, undefined, row.id);
    }
    await assertRejects(() => Deno.stat(yurthubDir), Deno.errors.NotFound);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("bench: an unknown --only name exits 2 and lists the known ones", async () => {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/bench/main.ts", "--only=nope"],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(result.code, 2);
  assert(new TextDecoder().decode(result.stderr).includes("request-path"));
});
