/**
 * Which object a JSON object's bytes hold, read without decoding or validating them: the
 * `namespace/name` of its first `metadata` member, from that member's first `name` and `namespace`
 * strings. kube-apiserver writes `metadata` third (after `kind` and `apiVersion`) and `name` and
 * `namespace` first within it, so the read stops after a few dozen bytes of a namespaced object;
 * of a cluster-scoped one it reads metadata to its end, to learn there is no namespace.
 *
 * It serves two reads that need no more: which object a watch event is about, for coalescing
 * events before they are decoded (`cache/ingest/event_window.ts`; an event decoded after all is
 * checked against it then), and, with the first `resourceVersion` too, whether a fetched object
 * is the version the cache holds already (`cache/ingest/response.ts`; such a body is not decoded
 * at all, since nothing of it is stored). It gives up (undefined) on anything unusual — a key or
 * value with an escape, a value that is not a string, no `metadata` member — and the caller then
 * treats the object as unknown.
 * Pure: no I/O.
 * @module
 */
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./bytes.ts";
import type { ObjectVersion } from "../types.ts";
import { isJsonWhitespace } from "./value_framer.ts";

const decoder = new TextDecoder();
const METADATA = new TextEncoder().encode("metadata");
const NAME = new TextEncoder().encode("name");
const NAMESPACE = new TextEncoder().encode("namespace");
const RESOURCE_VERSION = new TextEncoder().encode("resourceVersion");

function skipWhitespace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && isJsonWhitespace(bytes[i])) i++;
  return i;
}

/** Index of the quote closing the string opened at `i`, or -1 when it has an escape or no end. */
function plainStringEnd(bytes: Uint8Array, i: number): number {
  for (let j = i + 1; j < bytes.length; j++) {
    const byte = bytes[j];
    if (byte === QUOTE) return j;
    if (byte === BACKSLASH) return -1;
  }
  return -1;
}

/** Index just after the string opened at `i` (escapes honoured), or -1 when it does not end. */
function stringEnd(bytes: Uint8Array, i: number): number {
  for (let j = i + 1; j < bytes.length; j++) {
    const byte = bytes[j];
    if (byte === QUOTE) return j + 1;
    if (byte === BACKSLASH) j++;
  }
  return -1;
}

/** Index just after the value starting at `i`, by structure alone, or -1 when it does not end. */
function valueEnd(bytes: Uint8Array, i: number): number {
  const first = bytes[i];
  if (first === QUOTE) return stringEnd(bytes, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    while (i < bytes.length && !endsScalar(bytes[i])) i++;
    return i;
  }
  let depth = 0;
  while (i < bytes.length) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = stringEnd(bytes, i);
      if (i < 0) return -1;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

function endsScalar(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET ||
    isJsonWhitespace(byte);
}

function sameBytes(bytes: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) {
    if (bytes[start + k] !== name[k]) return false;
  }
  return true;
}

/**
 * Walks the members of the object opening at `i`, calling `member(keyStart, keyEnd, valueAt)`
 * for each (the key's bytes without quotes, the index of its value). `member` returns the index
 * after the value to go on, or a string to stop with it. Gives the object's end (-1 on anything
 * unusual) unless `member` stopped the walk.
 */
function walkMembers(
  bytes: Uint8Array,
  i: number,
  member: (keyStart: number, keyEnd: number, valueAt: number) => number | string,
): number | string {
  i = skipWhitespace(bytes, i + 1);
  if (bytes[i] === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (bytes[i] !== QUOTE) return -1;
    const keyEnd = plainStringEnd(bytes, i);
    if (keyEnd < 0) return -1;
    const colon = skipWhitespace(bytes, keyEnd + 1);
    if (bytes[colon] !== COLON) return -1;
    const next = member(i + 1, keyEnd, skipWhitespace(bytes, colon + 1));
    if (typeof next === "string" || next < 0) return next;
    i = skipWhitespace(bytes, next);
    if (bytes[i] === CLOSE_BRACE) return i + 1;
    if (bytes[i] !== COMMA) return -1;
    i = skipWhitespace(bytes, i + 1);
  }
}

/** The metadata members read in place: the first of each, all plain strings. */
interface MetadataStrings {
  name: string;
  namespace?: string;
  resourceVersion?: string;
}

/**
 * The first `name`, `namespace` and (with `withVersion`) `resourceVersion` strings of the metadata
 * object opening at `at`; stops once it holds them all, else reads metadata to its end (where a
 * missing `namespace` means cluster-scoped). Undefined on anything unusual or without a name.
 */
function metadataStrings(
  bytes: Uint8Array,
  at: number,
  withVersion: boolean,
): MetadataStrings | undefined {
  const found: Partial<MetadataStrings> = {};
  const complete = () =>
    found.name !== undefined && found.namespace !== undefined &&
    (!withVersion || found.resourceVersion !== undefined);
  const end = walkMembers(bytes, at, (keyStart, keyEnd, valueAt) => {
    const member = sameBytes(bytes, keyStart, keyEnd, NAME)
      ? "name"
      : sameBytes(bytes, keyStart, keyEnd, NAMESPACE)
      ? "namespace"
      : withVersion && sameBytes(bytes, keyStart, keyEnd, RESOURCE_VERSION)
      ? "resourceVersion"
      : undefined;
    if (member === undefined || found[member] !== undefined) return valueEnd(bytes, valueAt);
    if (bytes[valueAt] !== QUOTE) return -1;
    const textEnd = plainStringEnd(bytes, valueAt);
    if (textEnd < 0) return -1;
    found[member] = decoder.decode(bytes.subarray(valueAt + 1, textEnd));
    return complete() ? "complete" : textEnd + 1;
  });
  if (typeof end === "number" && end < 0) return undefined;
  const { name, namespace, resourceVersion } = found;
  return name === undefined ? undefined : { name, namespace, resourceVersion };
}

/** The metadata strings of the JSON object in `bytes`, from its first `metadata` member. */
function peekMetadata(bytes: Uint8Array, withVersion: boolean): MetadataStrings | undefined {
  const start = skipWhitespace(bytes, 0);
  if (bytes[start] !== OPEN_BRACE) return undefined;
  let found: MetadataStrings | undefined;
  walkMembers(bytes, start, (keyStart, keyEnd, valueAt) => {
    if (!sameBytes(bytes, keyStart, keyEnd, METADATA)) return valueEnd(bytes, valueAt);
    if (bytes[valueAt] === OPEN_BRACE) found = metadataStrings(bytes, valueAt, withVersion);
    return "stop";
  });
  return found;
}

/**
 * The `namespace/name` of the JSON object in `bytes` (`/name` for a cluster-scoped one), read
 * from its first `metadata` member without validating the rest; undefined when it cannot be read
 * that way (see the module doc).
 */
export function peekObjectKey(bytes: Uint8Array): string | undefined {
  const found = peekMetadata(bytes, false);
  return found && `${found.namespace ?? ""}/${found.name}`;
}

/**
 * The namespace, name and resourceVersion of the JSON object in `bytes`, read like
 * {@linkcode peekObjectKey} (the first of each in its first `metadata` member, the rest not
 * validated); undefined when it cannot be read that way or has no resourceVersion.
 */
export function peekObjectVersion(bytes: Uint8Array): ObjectVersion | undefined {
  const found = peekMetadata(bytes, true);
  if (found?.resourceVersion === undefined) return undefined;
  const { namespace = "", name, resourceVersion } = found;
  return { namespace, name, resourceVersion };
}
