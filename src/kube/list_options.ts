/**
 * List and watch query parameters, decoded and validated the way kube-apiserver does it:
 * apimachinery's parameter codec (first value of each parameter; `false`/`0` are the only false
 * booleans; int64 numbers), then `internalversion/validation.ValidateListOptions` with the
 * WatchList feature on, then the storage rule against `continue` with a resourceVersion. Pure.
 *
 * Not applied: the WatchList defaulting (a watch with resourceVersion ""/"0" and neither
 * `sendInitialEvents` nor `resourceVersionMatch` becomes a watch-list on servers with the gate
 * on); callers see the request as the client sent it.
 * @module
 */

import { formatLabelSelector, type LabelSelector, parseLabelSelector } from "./label_selector.ts";
import { type FieldSelector, formatFieldSelector, parseFieldSelector } from "./field_selector.ts";
import { badRequest, failure, type Status, type StatusCause } from "./status.ts";

/** Validated list/watch options. Selectors come parsed and in canonical text form. */
export interface ListOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  /** Canonical form ({@link formatLabelSelector}); "" selects everything. */
  labelSelectorText: string;
  /** Canonical form ({@link formatFieldSelector}); "" selects everything. */
  fieldSelectorText: string;
  resourceVersion: string;
  resourceVersionMatch: "" | "NotOlderThan" | "Exact";
  /** 0 = no limit (a zero or negative `limit` also means none). */
  limit: number;
  continue: string;
  /** As sent; 0 or absent means the server default, kube-apiserver ends at once when negative. */
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  /** Present only when the client sent the parameter. */
  sendInitialEvents?: boolean;
  watch: boolean;
}

/** The query decoded like apimachinery's parameter codec, before any validation. */
export interface DecodedListQuery {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion: string;
  resourceVersionMatch: string;
  limit: number;
  continue: string;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  watch: boolean;
}

/** A boolean query value: absent, `0` and any-case `false` are false; anything else, even "", true. */
export function queryFlag(value: string | null): boolean {
  return value !== null && value !== "0" && value.toLowerCase() !== "false";
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 like Go's `strconv.ParseInt(s, 10, 64)`, or the error message. */
function parseInt64(text: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    return `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`;
  }
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) {
    return `strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`;
  }
  return Number(value);
}

/**
 * Decodes list/watch query parameters; returns the message of a 400 BadRequest when a selector
 * or number cannot be parsed.
 */
export function decodeListQuery(params: URLSearchParams): DecodedListQuery | string {
  let labelSelector: LabelSelector;
  let fieldSelector: FieldSelector;
  try {
    labelSelector = parseLabelSelector(params.get("labelSelector") ?? "");
    fieldSelector = parseFieldSelector(params.get("fieldSelector") ?? "");
  } catch (error) {
    return (error as Error).message;
  }
  const limitText = params.get("limit");
  const limit = limitText === null ? 0 : parseInt64(limitText);
  if (typeof limit === "string") return limit;
  const timeoutText = params.get("timeoutSeconds");
  const timeoutSeconds = timeoutText === null ? undefined : parseInt64(timeoutText);
  if (typeof timeoutSeconds === "string") return timeoutSeconds;
  const sendInitialEvents = params.get("sendInitialEvents");
  const decoded: DecodedListQuery = {
    labelSelector,
    fieldSelector,
    resourceVersion: params.get("resourceVersion") ?? "",
    resourceVersionMatch: params.get("resourceVersionMatch") ?? "",
    limit: Math.max(limit, 0),
    continue: params.get("continue") ?? "",
    allowWatchBookmarks: queryFlag(params.get("allowWatchBookmarks")),
    watch: queryFlag(params.get("watch")),
  };
  if (timeoutSeconds !== undefined) decoded.timeoutSeconds = timeoutSeconds;
  if (sendInitialEvents !== null) decoded.sendInitialEvents = queryFlag(sendInitialEvents);
  return decoded;
}

interface FieldError {
  type: "FieldValueForbidden" | "FieldValueNotSupported";
  field: string;
  body: string;
}

function forbidden(field: string, detail: string): FieldError {
  return { type: "FieldValueForbidden", field, body: `Forbidden: ${detail}` };
}

function notSupported(field: string, value: string, supported: string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(", ");
  return {
    type: "FieldValueNotSupported",
    field,
    body: `Unsupported value: ${JSON.stringify(value)}: supported values: ${list}`,
  };
}

const RVM = "resourceVersionMatch";

/** `ValidateListOptions` (validation.go) with the WatchList feature enabled. */
function validate(query: DecodedListQuery, watch: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const match = query.resourceVersionMatch;
  if (watch) {
    if (query.sendInitialEvents !== undefined && match !== "NotOlderThan") {
      errors.push(
        forbidden(RVM, "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
      );
    }
    if (match !== "") {
      if (query.sendInitialEvents === undefined) {
        errors.push(
          forbidden(
            RVM,
            "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
          ),
        );
      }
      if (match !== "NotOlderThan") errors.push(notSupported(RVM, match, ["NotOlderThan"]));
      if (query.continue !== "") {
        errors.push(forbidden(RVM, "resourceVersionMatch is forbidden when continue is provided"));
      }
    }
    return errors;
  }
  if (match !== "") {
    if (query.resourceVersion === "") {
      errors.push(
        forbidden(RVM, "resourceVersionMatch is forbidden unless resourceVersion is provided"),
      );
    }
    if (query.continue !== "") {
      errors.push(forbidden(RVM, "resourceVersionMatch is forbidden when continue is provided"));
    }
    if (match !== "Exact" && match !== "NotOlderThan") {
      errors.push(notSupported(RVM, match, ["Exact", "NotOlderThan", ""]));
    }
    if (match === "Exact" && query.resourceVersion === "0") {
      errors.push(
        forbidden(RVM, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
      );
    }
  }
  if (query.sendInitialEvents !== undefined) {
    errors.push(forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
  }
  return errors;
}

const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The Status kube-apiserver answers for a `resourceVersion` its storage cannot parse as a uint64
 * (Go's `strconv.ParseUint`), on get, list and watch alike: the storage layer's field error comes
 * back unconverted, so it is a 500 without a reason, worded as below. `""` and `"0"` are fine.
 */
export function invalidResourceVersion(resourceVersion: string): Status | undefined {
  if (resourceVersion === "" || resourceVersion === "0") return undefined;
  const quoted = JSON.stringify(resourceVersion);
  let problem: string | undefined;
  if (!/^[0-9]+$/.test(resourceVersion)) problem = "invalid syntax";
  else if (BigInt(resourceVersion) > UINT64_MAX) problem = "value out of range";
  if (!problem) return undefined;
  return failure(
    500,
    "",
    `resourceVersion: Invalid value: ${quoted}: strconv.ParseUint: parsing ${quoted}: ${problem}`,
  );
}

/** The 422 Invalid Status kube-apiserver builds for ListOptions field errors. */
function invalidListOptions(errors: FieldError[]): Status {
  const texts = errors.map((e) => `${e.field}: ${e.body}`);
  const aggregate = texts.length === 1 ? texts[0] : `[${texts.join(", ")}]`;
  const causes: StatusCause[] = errors.map((e) => ({
    reason: e.type,
    message: e.body,
    field: e.field,
  }));
  return failure(422, "Invalid", `ListOptions.meta.k8s.io "" is invalid: ${aggregate}`, {
    group: "meta.k8s.io",
    kind: "ListOptions",
    causes,
  });
}

/**
 * Parses and validates the query of a list or watch request. Returns a `Status` the caller sends
 * as is: 400 BadRequest for an unparsable selector or number, or for `continue` together with a
 * resourceVersion other than ""/"0" on a list; 500 for a resourceVersion that is not a uint64
 * ({@link invalidResourceVersion}); 422 Invalid for rule violations
 * (`sendInitialEvents` on a list, `sendInitialEvents` without `resourceVersionMatch=NotOlderThan`,
 * `resourceVersionMatch` without `resourceVersion` or with `continue`, unknown match values …).
 */
export function parseListOptions(
  params: URLSearchParams,
  verb: "list" | "watch",
): ListOptions | Status {
  const query = decodeListQuery(params);
  if (typeof query === "string") return badRequest(query);
  const watch = verb === "watch";
  const errors = validate(query, watch);
  if (errors.length > 0) return invalidListOptions(errors);
  if (
    !watch && query.continue !== "" && query.resourceVersion !== "" &&
    query.resourceVersion !== "0"
  ) {
    return badRequest("specifying resource version is not allowed when using continue");
  }
  const badVersion = invalidResourceVersion(query.resourceVersion);
  if (badVersion) return badVersion;
  const options: ListOptions = {
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector,
    labelSelectorText: formatLabelSelector(query.labelSelector),
    fieldSelectorText: formatFieldSelector(query.fieldSelector),
    resourceVersion: query.resourceVersion,
    resourceVersionMatch: query.resourceVersionMatch as ListOptions["resourceVersionMatch"],
    limit: query.limit,
    continue: query.continue,
    allowWatchBookmarks: query.allowWatchBookmarks,
    watch,
  };
  if (query.timeoutSeconds !== undefined) options.timeoutSeconds = query.timeoutSeconds;
  if (query.sendInitialEvents !== undefined) options.sendInitialEvents = query.sendInitialEvents;
  return options;
}
