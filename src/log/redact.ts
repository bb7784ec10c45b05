/**
 * Makes log field values safe and printable: secrets (by field name or by value shape) are
 * replaced, Errors become `message (cause: …)` text, and bigints, bytes, Headers, Maps and Sets
 * become JSON-friendly values.
 * @module
 */

/** What a redacted value is replaced by. */
export const REDACTED = "[redacted]";

const SECRET_WORDS = new Set([
  "authorization",
  "auth",
  "bearer",
  "cert",
  "certificate",
  "cookie",
  "credential",
  "credentials",
  "key",
  "passwd",
  "password",
  "secret",
  "token",
]);
const WORD_BOUNDARY = /[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/;
const SECRET_VALUE = /^(?:bearer|basic)\s|^-----BEGIN [A-Z ]*PRIVATE KEY-----/i;
const MAX_CAUSES = 5;
const secretKeyCache = new Map<string, boolean>();

/**
 * Whether a field name looks secret: its last word (camelCase, kebab-case or snake_case) is one
 * of authorization, auth, bearer, cert, certificate, cookie, credential(s), key, passwd,
 * password, secret or token. So `clientKey` and `x-auth-token` are secret, `tokenFile` is not.
 */
export function isSecretKey(name: string): boolean {
  let secret = secretKeyCache.get(name);
  if (secret === undefined) {
    const words = name.split(WORD_BOUNDARY).filter((word) => word !== "");
    secret = words.length > 0 && SECRET_WORDS.has(words[words.length - 1].toLowerCase());
    if (secretKeyCache.size < 1000) secretKeyCache.set(name, secret);
  }
  return secret;
}

/** `TypeError: fetch failed (cause: invalid peer certificate: UnknownIssuer)`, causes chained. */
export function errorText(err: Error): string {
  let text = errorLabel(err);
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    if (!(cause instanceof Error)) {
      text += ` (cause: ${typeof cause === "object" ? safeJson("", cause) : String(cause)})`;
      break;
    }
    text += ` (cause: ${errorLabel(cause)})`;
    cause = cause.cause;
  }
  return text;
}

function errorLabel(err: Error): string {
  return err.name && err.name !== "Error" ? `${err.name}: ${err.message}` : err.message;
}

/** Replaces a secret-looking string value, or converts a value JSON cannot show well. */
export function safeValue(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (key !== "" && isSecretKey(key)) return REDACTED;
  switch (typeof value) {
    case "string":
      return SECRET_VALUE.test(value) ? REDACTED : value;
    case "bigint":
      return value.toString();
    case "object":
      if (value instanceof Error) return errorText(value);
      if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
      if (value instanceof Headers || value instanceof Map) return Object.fromEntries(value);
      if (value instanceof Set) return [...value];
      return value;
    case "function":
    case "symbol":
      return String(value);
    default:
      return value;
  }
}

/** `JSON.stringify` with `safeValue` applied at every level; unserializable values say so. */
export function safeJson(key: string, value: unknown): string {
  try {
    return JSON.stringify(safeValue(key, value), (k, v) => k === "" ? v : safeValue(k, v)) ??
      "null";
  } catch {
    return '"[unserializable]"';
  }
}
