/**
 * Reader pins on query generations: a generation being read is not deleted until its readers
 * are done, and a generation whose deletion has started cannot be pinned any more.
 * @module
 */

/** Pins by generation. */
export class GenerationPins {
  readonly #counts = new Map<string, number>();
  readonly #waiting = new Map<string, ((released: boolean) => void)[]>();
  readonly #deleting = new Set<string>();
  #closed = false;

  /** Pins a generation; returns the release function, or undefined if it is being deleted. */
  pin(queryId: number, generation: number): (() => void) | undefined {
    const id = `${queryId}/${generation}`;
    if (this.#deleting.has(id)) return undefined;
    this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.#counts.get(id)! - 1;
      if (left > 0) {
        this.#counts.set(id, left);
        return;
      }
      this.#counts.delete(id);
      for (const wake of this.#waiting.get(id) ?? []) wake(true);
      this.#waiting.delete(id);
    };
  }

  /**
   * Waits until no reader holds the generation, then marks it as being deleted (no new pins).
   * Resolves false, without marking, when {@link close} comes first.
   */
  async claim(queryId: number, generation: number): Promise<boolean> {
    const id = `${queryId}/${generation}`;
    while (this.#counts.has(id)) {
      if (this.#closed) return false;
      const released = await new Promise<boolean>((wake) => {
        const waiting = this.#waiting.get(id) ?? [];
        waiting.push(wake);
        this.#waiting.set(id, waiting);
      });
      if (!released) return false;
    }
    this.#deleting.add(id);
    return true;
  }

  /** Ends the deletion of a generation (it no longer exists). */
  deleted(queryId: number, generation: number): void {
    this.#deleting.delete(`${queryId}/${generation}`);
  }

  /** Stops waiting for readers: pending and later claims of pinned generations resolve false. */
  close(): void {
    this.#closed = true;
    for (const wakers of this.#waiting.values()) for (const wake of wakers) wake(false);
    this.#waiting.clear();
  }
}
