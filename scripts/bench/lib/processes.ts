/**
 * Subprocesses for the benchmarks: start one with its output in a log file and a hard lifetime,
 * wait for it to answer HTTP, read its memory from `/proc/<pid>/status`, and stop it by its pid.
 * Every process started here is remembered so that {@linkcode stopAll} can end the ones still
 * running (one by one, by pid) when a run finishes or fails; where util-linux `setpriv` exists,
 * each is also started with a parent-death signal, so none outlives a killed benchmark.
 * @module
 */

/** How to start one subprocess. */
export interface SpawnOptions {
  /** Short name used in log file names and error messages. */
  name: string;
  /** The program; `Deno.execPath()` for Deno scripts. */
  command: string;
  args: string[];
  /** Folder for `<name>-<pid>.log` (stdout and stderr together). */
  logDir: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Hard lifetime: the process is killed (SIGKILL) this long after it started. */
  maxLifetimeMs: number;
}

/** A running subprocess. */
export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** `performance.now()` just before the spawn. */
  readonly startedAt: number;
  /** The log file holding its stdout and stderr. */
  readonly logFile: string;
  /** Settles with the exit status once the process has ended and its output is flushed. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Sends SIGTERM, then SIGKILL after `graceMs`; settles when it has exited. */
  stop(graceMs?: number): Promise<Deno.CommandStatus>;
}

const running = new Set<BenchProcess>();

const SETPRIV = "/usr/bin/setpriv";
let setprivPresent: boolean | undefined;

/** `setpriv --pdeathsig KILL <command> <args>` (same pid, via exec) when setpriv exists. */
function launcher(command: string, args: string[]): [string, string[]] {
  if (setprivPresent === undefined) {
    try {
      setprivPresent = Deno.statSync(SETPRIV).isFile;
    } catch {
      setprivPresent = false;
    }
  }
  return setprivPresent ? [SETPRIV, ["--pdeathsig", "KILL", command, ...args]] : [command, args];
}

/** Starts a subprocess whose stdout and stderr go to a log file. */
export async function spawnProcess(options: SpawnOptions): Promise<BenchProcess> {
  await Deno.mkdir(options.logDir, { recursive: true });
  const [command, args] = launcher(options.command, options.args);
  const startedAt = performance.now();
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logFile = `${options.logDir}/${options.name}-${child.pid}.log`;
  const log = await Deno.open(logFile, { create: true, write: true, truncate: true });
  const copy = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(
      new WritableStream({ write: async (chunk) => void await log.write(chunk) }),
    ).catch(() => undefined);
  const flushed = Promise.all([copy(child.stdout), copy(child.stderr)]);
  const killTimer = setTimeout(() => signal(child, "SIGKILL"), options.maxLifetimeMs);
  const exited = child.status.then(async (status) => {
    clearTimeout(killTimer);
    await flushed;
    log.close();
    return status;
  });
  const proc: BenchProcess = {
    name: options.name,
    pid: child.pid,
    startedAt,
    logFile,
    exited,
    async stop(graceMs = 3000) {
      signal(child, "SIGTERM");
      const timer = setTimeout(() => signal(child, "SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(proc);
  exited.finally(() => running.delete(proc));
  return proc;
}

function signal(child: Deno.ChildProcess, sig: Deno.Signal): void {
  try {
    child.kill(sig);
  } catch {
    // already exited
  }
}

/** Stops every process started by {@linkcode spawnProcess} that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop(1000)));
}

/** The last `lines` lines of a process's log, for error messages. */
export async function logTail(proc: BenchProcess, lines = 20): Promise<string> {
  try {
    const text = await Deno.readTextFile(proc.logFile);
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * Polls `url` until it answers with a status below 500, the process exits, or `timeoutMs` passes.
 * Returns the time it first answered (`performance.now()`).
 */
export async function waitForHttp(
  url: string,
  proc: BenchProcess,
  timeoutMs = 30_000,
  intervalMs = 20,
  client?: Deno.HttpClient,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  proc.exited.then(() => exited = true);
  let lastError = "";
  while (performance.now() < deadline) {
    if (exited) {
      throw new Error(`${proc.name} exited before answering ${url}:\n${await logTail(proc)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000), client });
      await response.body?.cancel();
      if (response.status < 500) return performance.now();
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await delay(intervalMs);
  }
  throw new Error(
    `${proc.name} did not answer ${url} in ${timeoutMs} ms (${lastError}):\n${await logTail(proc)}`,
  );
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Resident memory of a process, in bytes. */
export interface Memory {
  /** Current resident set (VmRSS). */
  rss: number;
  /** Peak resident set since start (VmHWM). */
  hwm: number;
  /** Of the resident set: anonymous memory (heaps, buffers: the process's own). */
  anon: number;
  /** Of the resident set: file-backed pages (mostly the executable's code and read-only data). */
  file: number;
}

/** Reads VmRSS and VmHWM of `pid` from `/proc/<pid>/status`. */
export async function readMemory(pid: number): Promise<Memory> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`);
  const field = (name: string) => {
    const match = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"));
    if (!match) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return {
    rss: field("VmRSS"),
    hwm: field("VmHWM"),
    anon: field("RssAnon"),
    file: field("RssFile"),
  };
}

/**
 * Resets the peak resident set (VmHWM) of `pid` to its current resident set, so that a later
 * {@linkcode readMemory} gives the peak since this call (Linux `clear_refs`, value 5). Throws where
 * the kernel refuses it (no such file, or the process is not ours).
 */
export async function resetPeakMemory(pid: number): Promise<void> {
  await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
}

/**
 * CPU milliseconds (user + system, in 10 ms ticks) from a `/proc` stat file: `/proc/<pid>/stat`
 * for a process, `/proc/<pid>/task/<tid>/stat` for one of its threads.
 */
export function cpuMs(statPath: string): number {
  const stat = Deno.readTextFileSync(statPath);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const AGENT_MAIN = new URL("../../../main.ts", import.meta.url).pathname;
const REPO_ROOT = new URL("../../..", import.meta.url).pathname;

/** Starts holdfast (`deno run -A main.ts run <args>`) as a subprocess named `holdfast`. */
export function spawnAgent(
  args: string[],
  logDir: string,
  maxLifetimeMs: number,
): Promise<BenchProcess> {
  return spawnProcess({
    name: "holdfast",
    command: Deno.execPath(),
    args: ["run", "-A", AGENT_MAIN, "run", ...args],
    cwd: REPO_ROOT,
    logDir,
    maxLifetimeMs,
  });
}
