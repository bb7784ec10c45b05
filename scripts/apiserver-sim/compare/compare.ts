/**
 * The differential comparison: sends every probe (`probes.ts`) to kube-apiserver and to the
 * simulator, in the same order, and lists where the normalized answers (`normalize.ts`) differ,
 * each difference with the explanation it has in {@link EXPLAINED} when the simulator keeps it on
 * purpose.
 * @module
 */
import { ASPECTS, type View, viewOf } from "./normalize.ts";
import { type Probe, PROBES, type ProbeState } from "./probes.ts";
import { compareNodeclient } from "./nodeclient.ts";
import { rawExchange, type RawTarget } from "./raw_http.ts";

/** One server under comparison. */
export interface Side {
  target: RawTarget;
  /** Forgets every older resourceVersion (an etcd compaction at the current revision). */
  compact(): Promise<void>;
}

/** One compared point. */
export interface Row {
  probe: string;
  /** `code`, `framing`, `headers` or `body` of a probe; `requests`, `caches`, `failures` of a run. */
  aspect: string;
  real: string;
  simulator: string;
  /** Why the simulator differs on purpose; undefined when it matches or should not differ. */
  explained?: string;
}

/**
 * Differences the simulator keeps, by `probe/aspect` (aspect `*` for all): why each stays.
 * Everything else must match.
 */
const WATCH_CACHE_WINDOW = "kube-apiserver 1.37 answers from its watch cache, which keeps at " +
  "least 75 s of history past an etcd compaction (on a fresh cluster it replays from its start); " +
  "the simulator's compact() stands for that window having passed, so it answers 410 at once, " +
  "in kube-apiserver's words (checked on a long-running cluster)";
const GO_PARSER =
  "the message quotes the JSON parser's own error, Go's there and JavaScript's here";
const NO_DEFAULTING = "no admission or defaulting: kube-apiserver adds the not-ready taint " +
  "(TaintNodesByCondition) and Go writes the zero-valued status structs";

export const EXPLAINED: Readonly<Record<string, string>> = {
  "create configmap, body not JSON/body": GO_PARSER,
  "list continue malformed 400/body": GO_PARSER,
  "create node/body": NO_DEFAULTING,
  "get node/body": NO_DEFAULTING,
  "watch from a compacted resourceVersion/*": WATCH_CACHE_WINDOW,
  "watch from resourceVersion 1 (compacted)/*": WATCH_CACHE_WINDOW,
  "list Exact at resourceVersion 1 (compacted)/*": WATCH_CACHE_WINDOW,
  "list continue at resourceVersion 1 (compacted)/*": WATCH_CACHE_WINDOW,
  "list Exact at a compacted resourceVersion/*": WATCH_CACHE_WINDOW,
  "list continue after compaction/*": WATCH_CACHE_WINDOW,
};

/** Why `probe`'s `aspect` differs on purpose, if it does. */
export function explanation(probe: string, aspect: string): string | undefined {
  return EXPLAINED[`${probe}/${aspect}`] ?? EXPLAINED[`${probe}/*`];
}

/** Runs `probes` against both sides and returns one row per probe and aspect. */
export async function compareServers(
  real: Side,
  simulator: Side,
  probes: readonly Probe[] = PROBES,
): Promise<Row[]> {
  const states: [ProbeState, ProbeState] = [
    { listRv: "", continueToken: "" },
    { listRv: "", continueToken: "" },
  ];
  const rows: Row[] = [];
  for (const probe of probes) {
    const views: View[] = [];
    for (const [i, side] of [real, simulator].entries()) {
      if (probe.before === "compact") await side.compact();
      const response = await rawExchange(side.target, probe.request(states[i]));
      probe.capture?.(response, states[i]);
      views.push(viewOf(response));
    }
    for (const aspect of ASPECTS) {
      const row: Row = {
        probe: probe.name,
        aspect,
        real: views[0][aspect],
        simulator: views[1][aspect],
      };
      if (row.real !== row.simulator) row.explained = explanation(probe.name, aspect);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Every comparison: the probes, then `nodeclient` (the binary at `nodeclient`) with each flag set,
 * against the administrator's `kubeconfigs` of both servers.
 */
export async function compareAll(
  servers: { real: Side; sim: Side; kubeconfigs: { real: string; simulator: string } },
  nodeclient: string,
): Promise<Row[]> {
  return [
    ...await compareServers(servers.real, servers.sim),
    ...await compareNodeclient(
      nodeclient,
      servers.kubeconfigs,
      servers.real,
      servers.sim,
      explanation,
    ),
  ];
}

/** The rows that differ. */
export function differences(rows: readonly Row[]): Row[] {
  return rows.filter((row) => row.real !== row.simulator);
}

/** A plain-text table of `rows`' differences: probe, aspect, verdict, then both values. */
export function formatDifferences(rows: readonly Row[]): string {
  const lines: string[] = [];
  const differing = differences(rows);
  const probes = new Set(rows.map((row) => row.probe)).size;
  lines.push(
    `${probes} probes, ${rows.length} points compared, ${differing.length} differ ` +
      `(${differing.filter((r) => r.explained).length} explained)`,
  );
  for (const row of differing) {
    lines.push("");
    lines.push(
      `■ ${row.probe} — ${row.aspect}: ${
        row.explained ? `explained: ${row.explained}` : "DIFFERS"
      }`,
    );
    const [real, simulator] = excerpt(row.real, row.simulator);
    lines.push(`  real:      ${real}`);
    lines.push(`  simulator: ${simulator}`);
  }
  return lines.join("\n");
}

const CONTEXT = 160;

/** The first differing line of each side, clipped around where they part. */
function excerpt(a: string, b: string): [string, string] {
  const as = a.split("\n");
  const bs = b.split("\n");
  let line = 0;
  while (line < as.length && line < bs.length && as[line] === bs[line]) line++;
  const x = as[line] ?? "(no more lines)";
  const y = bs[line] ?? "(no more lines)";
  let at = 0;
  while (at < x.length && at < y.length && x[at] === y[at]) at++;
  const from = Math.max(0, at - CONTEXT / 2);
  const clip = (text: string) =>
    `${line ? `[line ${line + 1}] ` : ""}${from ? "…" : ""}${text.slice(from, from + CONTEXT)}${
      text.length > from + CONTEXT ? "…" : ""
    }`;
  return [clip(x), clip(y)];
}
