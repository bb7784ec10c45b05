/**
 * Test helper: `holdfast run` as a subprocess with JSON logs, read line by line, so tests can
 * wait for a log message, signal the process and read its exit code and whole log.
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** One log record of the agent. */
export type LogRecord = Record<string, unknown> & { msg: string };

/** A running `holdfast run` subprocess. */
export interface AgentProcess extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  /** Every log record read so far. */
  readonly log: LogRecord[];
  /** Resolves with the first record whose `msg` is `msg` (or rejects when the process exits). */
  waitFor(msg: string): Promise<LogRecord>;
  /** Resolves with the exit code once the process exited and its log was read to the end. */
  exited(): Promise<number>;
  /** The log, one record a line, for assertion messages. */
  text(): string;
}

/** Starts `deno run -A main.ts run --log-format json ...args` from the repository root. */
export function spawnAgent(args: string[]): AgentProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "run", "--log-format", "json", ...args],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const log: LogRecord[] = [];
  const waiters: { msg: string; resolve: (record: LogRecord) => void }[] = [];
  const reading = (async () => {
    let buffer = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        let record: LogRecord;
        try {
          record = JSON.parse(line);
        } catch {
          record = { msg: line };
        }
        log.push(record);
        for (const waiter of waiters.filter((w) => w.msg === record.msg)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(record);
        }
      }
    }
    if (buffer !== "") log.push({ msg: buffer });
  })();
  const exited = async () => {
    const { code } = await child.status;
    await reading;
    return code;
  };
  const text = () => log.map((record) => JSON.stringify(record)).join("\n");
  return {
    child,
    log,
    waitFor(msg) {
      const found = log.find((record) => record.msg === msg);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ msg, resolve });
        exited().then((code) =>
          reject(new Error(`agent exited (${code}) before logging "${msg}":\n${text()}`))
        );
      });
    },
    exited,
    text,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await exited();
    },
  };
}

/** The proxy and admin URLs from a "holdfast started" record. */
export function agentUrls(started: LogRecord): { proxy: string; admin: string } {
  return { proxy: `http://${started.listen}`, admin: `http://${started.admin}` };
}

/** Headers of a request as kubelet sends it. */
export const KUBELET = { "user-agent": "kubelet/v1.31.0 (linux/amd64) kubernetes/abc" };

/**
 * Flags of an agent on `cache` whose upstream is `server`. With `quickOffline` it takes the first
 * failed health check as the upstream being down (for an upstream known to refuse: a reachable
 * one could then look down under load); otherwise the default, patient health checks.
 */
export function agentArgs(server: string, cache: string, quickOffline = false): string[] {
  const args = [
    "--server",
    server,
    "--listen",
    "127.0.0.1:0",
    "--admin-listen",
    "127.0.0.1:0",
    "--cache-path",
    cache,
  ];
  if (!quickOffline) return args;
  return [
    ...args,
    "--health-interval",
    "300ms",
    "--health-timeout",
    "200ms",
    "--unhealthy-threshold",
    "1",
  ];
}

/** A port nothing listens on. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
