/**
 * The client-go side of the differential comparison: `nodeclient` (scripts/realcluster/) run
 * against kube-apiserver and against the simulator with the same flags, compared on what it asked
 * and was answered (method, URL with resourceVersions and timeouts normalized, status, content
 * type, as a set: goroutines order them freely), on its informers' caches (its own pods and Node
 * by name; services and EndpointSlices against that server's own LIST, since the two servers hold
 * different ones) and on its errors.
 * @module
 */
import type { Row, Side } from "./compare.ts";
import { rawExchange } from "./raw_http.ts";

/** The flag sets run: JSON with the watch-list, protobuf, and the classic LIST + WATCH. */
export const NODECLIENT_FLAGS: readonly string[][] = [[], ["--protobuf"], ["--watch-list=false"]];

/** The node name nodeclient registers (absent from both servers at first). */
export const NODECLIENT_NODE = "simdiff-nc";

interface Line {
  event: string;
  method?: string;
  url?: string;
  status?: number;
  contentType?: string;
  informer?: string;
  objects?: string[];
  error?: string;
  what?: string;
}

/** What one run showed, normalized. */
export interface NodeclientReport {
  requests: string;
  caches: string;
  failures: string;
}

function normalizeUrl(url: string): string {
  return url
    .replace(/resourceVersion=\d+/g, "resourceVersion=<rv>")
    .replace(/timeoutSeconds=\d+/g, "timeoutSeconds=<t>")
    .replace(/timeout=\w+/g, "timeout=<t>")
    .replace(/continue=[^&]+/g, "continue=<token>");
}

const PROXY_SELECTOR = encodeURIComponent("!service.kubernetes.io/service-proxy-name");

/** `namespace/name` of every object `side` lists at `path` (with the proxy's label selector). */
async function listed(side: Side, path: string): Promise<string[]> {
  const response = await rawExchange(side.target, {
    method: "GET",
    path: `${path}?labelSelector=${PROXY_SELECTOR}`,
    headers: { accept: "application/json" },
  });
  const list = JSON.parse(new TextDecoder().decode(response.body));
  return list.items
    .map((item: { metadata: { namespace?: string; name: string } }) =>
      `${item.metadata.namespace ?? ""}/${item.metadata.name}`
    )
    .sort();
}

/** Runs nodeclient for a few seconds against `side` and reports what it saw. */
export async function runNodeclient(
  binary: string,
  kubeconfig: string,
  side: Side,
  flags: readonly string[],
): Promise<NodeclientReport> {
  const out = await new Deno.Command(binary, {
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--node-name=${NODECLIENT_NODE}`,
      "--duration=4s",
      "--lease-interval=1s",
      ...flags,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines: Line[] = new TextDecoder().decode(out.stdout).trimEnd().split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
  const requests = [
    ...new Set(
      lines.filter((l) => l.event === "request").map((l) =>
        `${l.method} ${normalizeUrl(l.url!)} → ${l.status ?? l.error} ${l.contentType ?? ""}`
      ),
    ),
  ].sort();
  const cached = Object.fromEntries(
    lines.filter((l) => l.event === "cache").map((l) => [
      l.informer!,
      l.objects!.map((o) => o.slice(0, o.lastIndexOf("@"))),
    ]),
  );
  const [services, endpointSlices] = await Promise.all([
    listed(side, "/api/v1/services"),
    listed(side, "/apis/discovery.k8s.io/v1/endpointslices"),
  ]);
  const caches = JSON.stringify({
    pods: cached.pods,
    nodes: cached.nodes,
    "services = the server's LIST": JSON.stringify(cached.services) === JSON.stringify(services),
    "endpointslices = the server's LIST":
      JSON.stringify(cached.endpointslices) === JSON.stringify(endpointSlices),
  });
  const failures = lines
    .filter((l) => ["error", "watch-error", "fatal"].includes(l.event))
    .map((l) => `${l.event} ${l.what ?? l.informer ?? ""}: ${l.error}`);
  if (out.code !== 0) failures.push(`exit ${out.code}`);
  return { requests: requests.join("\n"), caches, failures: failures.join("\n") || "(none)" };
}

/** Runs every flag set against both sides, in turn, and returns one row per set and aspect. */
export async function compareNodeclient(
  binary: string,
  kubeconfigs: { real: string; simulator: string },
  real: Side,
  simulator: Side,
  explain: (probe: string, aspect: string) => string | undefined,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const flags of NODECLIENT_FLAGS) {
    const probe = `nodeclient ${flags.join(" ") || "(JSON, watch-list)"}`;
    const realReport = await runNodeclient(binary, kubeconfigs.real, real, flags);
    const simReport = await runNodeclient(binary, kubeconfigs.simulator, simulator, flags);
    for (const aspect of ["requests", "caches", "failures"] as const) {
      const row: Row = { probe, aspect, real: realReport[aspect], simulator: simReport[aspect] };
      if (row.real !== row.simulator) row.explained = explain(probe, aspect);
      rows.push(row);
    }
  }
  return rows;
}
