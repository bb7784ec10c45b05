/**
 * `deno task conformance`: client-go → holdfast → a real kube-apiserver, online, through link
 * cuts and a restart of holdfast while offline, and back (see `suite.ts` and the README beside
 * it). Prints a table of checks (or, with `--json`, one JSON object) and exits 1 when any failed.
 * `--keep` keeps the work folder (logs, holdfast's cache) even when all passed; it is always kept
 * on a failure.
 * @module
 */
import { parseArgs } from "node:util";
import { formatTable } from "./checks.ts";
import { runConformance } from "./suite.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    json: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

const log = (line: string) => console.error(`conformance: ${line}`);
const result = await runConformance({ log, keep: values.keep });
if (values.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(formatTable(result.checks));
  console.log(
    `${result.seconds.toFixed(0)} s${result.workDir ? `; logs in ${result.workDir}` : ""}`,
  );
}
Deno.exit(result.ok ? 0 : 1);
