/**
 * Recognizes PEM blocks, so a file meant to hold a certificate or key is known to before it is
 * used (at start-up and when a rotated file is re-read). Pure.
 * @module
 */

/** What a PEM file is expected to hold. */
export type PemKind = "certificate" | "private key";

const CERTIFICATE = "-----BEGIN CERTIFICATE-----";
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** True when `text` holds a PEM block of `kind`. */
export function holdsPem(text: string, kind: PemKind): boolean {
  return kind === "certificate" ? text.includes(CERTIFICATE) : PRIVATE_KEY.test(text);
}
