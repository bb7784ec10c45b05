/**
 * nodeclient (the client-go program in `../realcluster/nodeclient/`) as a long-running node: its
 * JSON lines collected as they come, its caches reported on demand (SIGUSR1), stopped by SIGTERM.
 * @module
 */

/** One JSON line of nodeclient's output. */
export interface NodeclientLine {
  event: string;
  informer?: string;
  objects?: string[];
  seq?: number;
  url?: string;
  method?: string;
  status?: number;
  error?: string;
  what?: string;
  message?: string;
  /** `performance.now()` when the suite read the line. */
  at: number;
}

/** How one nodeclient runs: its wire format and list path, and the node it acts for. */
export interface Variant {
  /** e.g. `json/watch-list`. */
  name: string;
  node: string;
  flags: string[];
}

/** The four ways client-go reads: JSON or protobuf, WatchList or classic list+watch. */
export const VARIANTS: Variant[] = [
  { name: "json/watch-list", node: "node-a", flags: [] },
  { name: "protobuf/watch-list", node: "node-b", flags: ["--protobuf"] },
  { name: "json/list+watch", node: "node-c", flags: ["--watch-list=false"] },
  { name: "protobuf/list+watch", node: "node-d", flags: ["--protobuf", "--watch-list=false"] },
];

/** A running nodeclient. */
export interface Nodeclient {
  variant: Variant;
  /** Every line so far, in order. */
  readonly lines: readonly NodeclientLine[];
  /** Asks for a report and returns each informer's cached `namespace/name@resourceVersion`s. */
  caches(): Promise<Record<string, string[]>>;
  /** Waits for a line after index `from` that satisfies `test`; throws naming `what` after `ms`. */
  waitFor(
    test: (line: NodeclientLine) => boolean,
    ms: number,
    from?: number,
    what?: string,
  ): Promise<void>;
  /** SIGTERM; resolves with the exit code once its output has ended. */
  stop(): Promise<number>;
}

/**
 * Starts `binary` for `variant` against the server in `kubeconfig`; its stderr goes to
 * `<logPrefix>.log` and its JSON lines, as read, also to `<logPrefix>.jsonl`.
 */
export async function startNodeclient(
  binary: string,
  kubeconfig: string,
  variant: Variant,
  logPrefix: string,
): Promise<Nodeclient> {
  const child = new Deno.Command(binary, {
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--node-name=${variant.node}`,
      "--duration=0",
      "--lease-interval=2s",
      "--event-interval=3s",
      ...variant.flags,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const open = (path: string) => Deno.open(path, { create: true, write: true, truncate: true });
  const stderr = child.stderr.pipeTo((await open(`${logPrefix}.log`)).writable)
    .catch(() => undefined);
  const jsonl = await open(`${logPrefix}.jsonl`);
  const encoder = new TextEncoder();
  const lines: NodeclientLine[] = [];
  let wake = Promise.withResolvers<void>();
  let ended = false;
  const reading = (async () => {
    const decoded = child.stdout.pipeThrough(new TextDecoderStream());
    let rest = "";
    for await (const chunk of decoded) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      const at = performance.now();
      for (const part of parts) {
        if (!part.trim()) continue;
        lines.push({ ...JSON.parse(part), at });
        await jsonl.write(encoder.encode(`${at.toFixed(0)} ${part}\n`));
      }
      wake.resolve();
      wake = Promise.withResolvers<void>();
    }
  })().finally(() => {
    jsonl.close();
    ended = true;
    wake.resolve();
  });

  const waitFor = async (
    test: (line: NodeclientLine) => boolean,
    ms: number,
    from = 0,
    what = "such a line",
  ) => {
    const deadline = performance.now() + ms;
    let checked = from;
    while (true) {
      for (; checked < lines.length; checked++) if (test(lines[checked])) return;
      const left = deadline - performance.now();
      if (ended || left <= 0) {
        throw new Error(
          `nodeclient ${variant.name}: ${ended ? "exited" : `no ${what} in ${ms / 1000} s`}`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        wake.promise,
        new Promise((resolve) => timer = setTimeout(resolve, left)),
      ]);
      clearTimeout(timer);
    }
  };
  let reports = 0;
  return {
    variant,
    lines,
    async caches() {
      const seq = ++reports;
      const from = lines.length;
      child.kill("SIGUSR1");
      await waitFor((line) => line.event === "caches-reported" && line.seq === seq, 60_000, from);
      const end = lines.findIndex((line, i) => i >= from && line.seq === seq);
      const report: Record<string, string[]> = {};
      for (const line of lines.slice(from, end)) {
        if (line.event === "cache") report[line.informer!] = line.objects!;
      }
      return report;
    },
    waitFor,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      const status = await child.status;
      await reading.catch(() => undefined);
      await stderr;
      return status.code;
    },
  };
}
