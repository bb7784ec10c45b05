/**
 * The byte test filters run before parsing anything: does an object's encoding contain one of a
 * few strings? Strings are stored verbatim as UTF-8 in both JSON (Go escapes only `<`, `>`, `&`
 * and control characters) and protobuf, so one test serves both encodings. Pure.
 * @module
 */

const encoder = new TextEncoder();

/** Encoded needles, ready for {@link containsAny}. */
export type Needles = readonly Uint8Array[];

/**
 * The two ways an object's `metadata.name` equal to `name` is written: `"name"` in JSON, and the
 * ObjectMeta name field (tag 0x0a, then the length) in protobuf — far more selective than the bare
 * word, which labels such as `app.kubernetes.io/name` also contain. For names under 128 bytes.
 */
export function nameNeedles(name: string): string[] {
  if (name.length >= 128) throw new RangeError(`name too long for a one-byte length: ${name}`);
  return [`"${name}"`, `\n${String.fromCharCode(name.length)}${name}`];
}

/** Encodes `strings` for {@link containsAny}. */
export function needlesOf(strings: readonly string[]): Needles {
  return strings.map((s) => encoder.encode(s));
}

/** True when `bytes` contains one of `needles`, or when there are no needles at all. */
export function containsAny(bytes: Uint8Array, needles: Needles): boolean {
  if (needles.length === 0) return true;
  for (const needle of needles) if (indexOfBytes(bytes, needle) !== -1) return true;
  return false;
}

function indexOfBytes(bytes: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  const first = needle[0];
  const last = bytes.length - needle.length;
  for (let i = bytes.indexOf(first); i !== -1 && i <= last; i = bytes.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && bytes[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
