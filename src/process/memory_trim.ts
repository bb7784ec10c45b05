/**
 * Gives back to the system the memory the C allocator keeps after it is freed. Response chunks
 * and KV buffers are allocated by Deno's Rust side with glibc's `malloc`, across several threads
 * (so several arenas); once freed, glibc returns only the top of each arena, and a 90 MB LIST
 * leaves tens of MB resident that nothing uses. `malloc_trim(0)` releases every free page of
 * every arena. It is called through Deno's FFI on a helper thread (`nonblocking`), so the proxy's
 * JavaScript thread never waits for it, every few seconds while the agent runs.
 * @module
 */

/** A trim call: resolves when the allocator has released what it can. */
export type Trim = () => Promise<unknown>;

/** glibc's `malloc_trim` through FFI, with `close` for the library; absent where unavailable. */
export interface MallocTrim {
  trim: Trim;
  close(): void;
}

/**
 * Opens glibc's `malloc_trim`, or gives `undefined` where there is none (another C library, no
 * FFI permission): the agent then runs without trimming.
 */
export function openMallocTrim(library = "libc.so.6"): MallocTrim | undefined {
  try {
    const lib = Deno.dlopen(library, {
      malloc_trim: { parameters: ["usize"], result: "i32", nonblocking: true },
    });
    return { trim: () => lib.symbols.malloc_trim(0n), close: () => lib.close() };
  } catch {
    return undefined;
  }
}

/** A running periodic trim. */
export interface TrimTimer {
  /** Stops the timer; resolves once a trim in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Calls `trim` every `intervalMs` (never two at once). The timer does not keep the process
 * alive; a failing trim is ignored (the memory simply stays with the allocator).
 */
export function trimPeriodically(trim: Trim, intervalMs: number): TrimTimer {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= trim().then(() => {}, () => {}).finally(() => (running = undefined));
  }, intervalMs);
  Deno.unrefTimer(timer);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
