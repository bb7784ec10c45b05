/**
 * Ordering of resourceVersions. The API contract makes them opaque strings, but kube-apiserver's
 * are etcd revisions (decimal uint64) and client-go itself compares them as integers; holdfast
 * needs an order to keep the newest copy of an object and to answer "too old" questions. Pure.
 *
 * Decision for values that are not decimal numbers (`""`, `"abc"`, `"-1"`, `"1.5"`): they never
 * throw and never yield NaN. They rank below every numeric version (as "unknown, oldest") and
 * compare among themselves by plain string order, so the result is a total order.
 * @module
 */

const DECIMAL = /^[0-9]+$/;

/** Whether `rv` is a decimal number (digits only, leading zeros allowed as in Go's ParseUint). */
export function isNumericResourceVersion(rv: string): boolean {
  return DECIMAL.test(rv);
}

function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits[i] === "0") i++;
  return digits.slice(i);
}

/**
 * Negative if `a` is older than `b`, 0 if they are the same version, positive if newer. Numeric
 * versions compare by value at any length (`"9" < "10"`, `"007" == "7"`); see the module doc for
 * non-numeric ones.
 */
export function compareResourceVersions(a: string, b: string): number {
  const numA = isNumericResourceVersion(a);
  const numB = isNumericResourceVersion(b);
  if (numA && numB) {
    const x = stripZeros(a);
    const y = stripZeros(b);
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (numA !== numB) return numA ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `a` is strictly newer than `b` (by {@link compareResourceVersions}). */
export function isNewer(a: string, b: string): boolean {
  return compareResourceVersions(a, b) > 0;
}

/**
 * Whether `next` is older than `previous` where the order is known to mean time: both are decimal
 * (etcd revisions), and a server that answers `next` after `previous` went backwards (an etcd
 * restore). A non-numeric version is never taken as going backwards: it is opaque.
 */
export function goesBackwards(previous: string, next: string): boolean {
  return isNumericResourceVersion(previous) && isNumericResourceVersion(next) &&
    compareResourceVersions(previous, next) > 0;
}
