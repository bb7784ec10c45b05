/**
 * LIST: which snapshot a resourceVersion / resourceVersionMatch asks for (current, exact, too old
 * → 410 Expired, too new → 504 Timeout), selection, and pagination with kube-apiserver-shaped
 * continue tokens (an expired token → 410 Expired carrying a token to go on from the current state,
 * rv -1).
 * @module
 */
import type { ListOptions } from "../../src/kube/list_options.ts";
import { badRequest, expired, failure, type Status } from "../../src/kube/status.ts";
import type { ListMetaJson } from "./encoding.ts";
import type { ResourceType } from "./resources.ts";
import type { Predicate } from "./selection.ts";
import type { Entry, Store } from "./store.ts";

/** One page of a list. */
export interface ListPage {
  meta: ListMetaJson;
  items: Entry[];
}

const EXPIRED_CONTINUE = "The provided continue parameter is too old to display a consistent " +
  "list result. You can start a new list without the continue parameter, or use the continue " +
  "token in this response to retrieve the remainder of the results. Continuing with the " +
  "provided token results in an inconsistent list - objects that were created, modified, or " +
  "deleted between the time the first chunk was returned and now may show up in the list.";

/** 504 for a resourceVersion newer than the store, as the apiserver's storage answers. */
export function tooLarge(rv: number, current: number): Status {
  return failure(
    504,
    "Timeout",
    `Timeout: Too large resource version: ${rv}, current: ${current}`,
    {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    },
  );
}

/**
 * 410 for a LIST at a resourceVersion older than the history window, as kube-apiserver's storage
 * words it (a watch's 410 is `tooOld`).
 */
const LIST_TOO_OLD = "The resourceVersion for the provided list is too old.";

/** 410 for a watch from a resourceVersion older than the history window (the watch cache's). */
export function tooOld(rv: number, oldest: number): Status {
  return expired(`too old resource version: ${rv} (${oldest})`);
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** A continue token at `rv` that starts at `start` (the last key sent, then NUL). */
function encodeContinue(rv: number, start: string): string {
  const json = JSON.stringify({ v: "meta.k8s.io/v1", rv, start });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const INVALID_KEY = "continue key is not valid";

/**
 * The token's rv and start key, or why it is not valid in kube-apiserver's words (a JSON syntax
 * error is worded by JavaScript): base64 in the URL alphabet without padding, JSON
 * `{v: "meta.k8s.io/v1", rv, start}` with a non-zero rv and a start key.
 */
function decodeContinue(token: string): ContinueToken | string {
  const illegal = token.search(/[^A-Za-z0-9_-]/);
  if (illegal >= 0 || token.length % 4 === 1) {
    return `${INVALID_KEY}: illegal base64 data at input byte ${
      illegal >= 0 ? illegal : token.length - 1
    }`;
  }
  let parsed;
  try {
    const binary = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch (error) {
    return `${INVALID_KEY}: ${error}`;
  }
  if (parsed?.v !== "meta.k8s.io/v1") {
    return `${INVALID_KEY}: server does not recognize this encoded version ${parsed?.v ?? ""}`;
  }
  if (!Number.isInteger(parsed.rv) || parsed.rv === 0) {
    return `${INVALID_KEY}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`;
  }
  if (typeof parsed.start !== "string" || !parsed.start) {
    return `${INVALID_KEY}: encoded start key empty (version meta.k8s.io/v1)`;
  }
  return { rv: parsed.rv, start: parsed.start };
}

/** The page of `type` that `options` ask for, or the Status to answer instead. */
export function listPage(
  store: Store,
  type: ResourceType,
  options: ListOptions,
  selected: Predicate,
): ListPage | Status {
  const current = store.resourceVersion;
  let rv = current;
  let start = "";
  if (options.continue) {
    const token = decodeContinue(options.continue);
    if (typeof token === "string") {
      return badRequest(`invalid continue token: ${token}`);
    }
    if (token.rv === -1) {
      // The token an expired page hands out: continue from the current state (inconsistent).
      start = token.start;
    } else if (token.rv < store.oldestResourceVersion) {
      // The answer carries that token, so the client can go on without starting over.
      const metadata = { continue: encodeContinue(-1, token.start) };
      return { ...expired(EXPIRED_CONTINUE), metadata } as unknown as Status;
    } else {
      if (token.rv > current) return badRequest(`continue key is not valid: ${options.continue}`);
      rv = token.rv;
      start = token.start;
    }
  } else if (options.resourceVersion !== "" && options.resourceVersion !== "0") {
    // parseListOptions refused a resourceVersion that is not a uint64, as kube-apiserver does.
    const asked = Number(options.resourceVersion);
    if (asked > current) return tooLarge(asked, current);
    if (options.resourceVersionMatch === "Exact") {
      if (asked < store.oldestResourceVersion) return expired(LIST_TOO_OLD);
      rv = asked;
    }
  }
  const snapshot = store.snapshot(type, rv);
  if (!snapshot) return expired(LIST_TOO_OLD);
  const items: Entry[] = [];
  let more = false;
  let remaining = 0;
  const limit = options.limit > 0 ? options.limit : Infinity;
  for (const entry of snapshot) {
    if (start && entry.key < start) continue;
    if (!selected(entry)) continue;
    if (items.length < limit) items.push(entry);
    else {
      more = true;
      remaining++;
    }
  }
  const meta: ListMetaJson = { resourceVersion: String(rv) };
  if (more) {
    meta.continue = encodeContinue(rv, `${items[items.length - 1].key}\u0000`);
    const unselective = options.labelSelector.length === 0 && options.fieldSelector.length === 0;
    if (unselective) meta.remainingItemCount = remaining;
  }
  return { meta, items };
}
