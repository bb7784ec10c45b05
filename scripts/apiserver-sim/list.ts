/**
 * LIST: which snapshot a resourceVersion / resourceVersionMatch asks for (current, exact, too old
 * → 410 Expired, too new → 504 Timeout), selection, and pagination with kube-apiserver-shaped
 * continue tokens (an expired token → 410 Expired).
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

/** 410 for a resourceVersion older than the history window. */
export function tooOld(rv: number, oldest: number): Status {
  return expired(`too old resource version: ${rv} (${oldest})`);
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  const json = JSON.stringify({ v: "meta.k8s.io/v1", rv, start: `${lastKey}\u0000` });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeContinue(token: string): ContinueToken | undefined {
  try {
    const binary = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    const parsed = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))),
    );
    if (
      parsed.v !== "meta.k8s.io/v1" || !Number.isInteger(parsed.rv) ||
      typeof parsed.start !== "string"
    ) {
      return undefined;
    }
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    return undefined;
  }
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
    if (!token) return badRequest(`continue key is not valid: ${options.continue}`);
    if (token.rv < store.oldestResourceVersion) return expired(EXPIRED_CONTINUE);
    if (token.rv > current) return badRequest(`continue key is not valid: ${options.continue}`);
    rv = token.rv;
    start = token.start;
  } else if (options.resourceVersion !== "" && options.resourceVersion !== "0") {
    // parseListOptions refused a resourceVersion that is not a uint64, as kube-apiserver does.
    const asked = Number(options.resourceVersion);
    if (asked > current) return tooLarge(asked, current);
    if (options.resourceVersionMatch === "Exact") {
      if (asked < store.oldestResourceVersion) return tooOld(asked, store.oldestResourceVersion);
      rv = asked;
    }
  }
  const snapshot = store.snapshot(type, rv);
  if (!snapshot) return tooOld(rv, store.oldestResourceVersion);
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
    meta.continue = encodeContinue(rv, items[items.length - 1].key);
    const unselective = options.labelSelector.length === 0 && options.fieldSelector.length === 0;
    if (unselective) meta.remainingItemCount = remaining;
  }
  return { meta, items };
}
