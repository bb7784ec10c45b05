/**
 * holdfast's own `continue` tokens for paginated offline lists: which snapshot (query id,
 * generation and resourceVersion) the first page came from and how many selected objects were
 * already returned. A token that cannot be read, or whose snapshot has changed since, is answered
 * with 410 Expired so the client starts a new list, as kube-apiserver does for compacted tokens.
 * @module
 */

/** The position a `continue` token resumes from. */
export interface ContinueToken {
  queryId: number;
  generation: number;
  resourceVersion: string;
  /** Selected objects already returned. */
  offset: number;
}

const VERSION = "holdfast/1";

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder("utf-8", { fatal: true })
    .decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** Encodes `token` as an opaque `continue` value. */
export function encodeContinue(token: ContinueToken): string {
  return base64url(JSON.stringify({
    v: VERSION,
    q: token.queryId,
    g: token.generation,
    rv: token.resourceVersion,
    o: token.offset,
  }));
}

/** Reads a `continue` value made by {@link encodeContinue}; undefined for anything else. */
export function decodeContinue(text: string): ContinueToken | undefined {
  let value: unknown;
  try {
    value = JSON.parse(fromBase64url(text));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const { v, q, g, rv, o } = value as Record<string, unknown>;
  if (v !== VERSION || typeof rv !== "string") return undefined;
  if (![q, g, o].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return undefined;
  return {
    queryId: q as number,
    generation: g as number,
    resourceVersion: rv,
    offset: o as number,
  };
}
