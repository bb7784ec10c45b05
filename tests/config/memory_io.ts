/**
 * Test helpers: an in-memory `ConfigIO` and PEM-shaped text.
 * @module
 */
import type { ConfigIO } from "../../src/config/resolve.ts";

/** PEM-shaped certificate text (the config layer checks markers, not contents). */
export const CERT_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
/** PEM-shaped private key text. */
export const KEY_PEM = "-----BEGIN EC PRIVATE KEY-----\nMHcfake\n-----END EC PRIVATE KEY-----\n";

/** A `ConfigIO` over a map of path → text; other paths fail like a missing file. */
export function memoryIO(files: Record<string, string> = {}, hostname = "edge-1"): ConfigIO {
  return {
    readTextFile(path) {
      const text = files[path];
      if (text === undefined) throw new Error("no such file");
      return text;
    },
    hostname: () => hostname,
  };
}
