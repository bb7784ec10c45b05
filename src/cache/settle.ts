/**
 * Waiting with a deadline, for shutdown paths that must end in bounded time.
 * @module
 */

/** True when `promise` settles (either way) within `ms`; false when the time ran out first. */
export async function settlesWithin(
  promise: Promise<unknown> | undefined,
  ms: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([Promise.resolve(promise).then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
