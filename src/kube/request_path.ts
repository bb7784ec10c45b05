/**
 * The normal form of a request target that holdfast accepts, and the only one it forwards. A path
 * is accepted only when it is already normalized, which is stricter than kube-apiserver (Go
 * percent-decodes `%2F` into a separator, and its mux cleans `//` and dot segments) but loses no
 * API path: object names may hold neither `/` nor `%` nor be `.`/`..`
 * (apimachinery `path.IsValidPathSegmentName`). Pure.
 * @module
 */

/** Absolute path of non-empty segments made of RFC 3986 `pchar`s other than `@`. */
const NORMALIZED = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:%]+)*\/?$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
const ENCODED_SEPARATOR = /%(?:2f|5c)/i;
// deno-lint-ignore no-control-regex
const DECODED_FORBIDDEN = /[\x00-\x1f\x7f\\@]/;
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;

/**
 * Why `path` is not a normalized absolute path, or `undefined` when it is: it must start with
 * one `/`, have no empty inner segment, no `.`/`..` segment (also percent-encoded), no backslash,
 * `@`, control character or `#`, no percent-encoded `/` or `\`, and valid percent-escapes.
 */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "the path must start with /";
  if (path.startsWith("//")) return "the path must not start with //";
  if (!NORMALIZED.test(path)) {
    return "the path holds an empty segment or a character not allowed in a path";
  }
  if (DOT_SEGMENT.test(path)) return "the path holds a . or .. segment";
  if (!path.includes("%")) return undefined;
  if (ENCODED_SEPARATOR.test(path)) return "the path holds a percent-encoded / or \\";
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return "the path holds an invalid percent-escape";
  }
  if (DECODED_FORBIDDEN.test(decoded)) return "the path holds an encoded control character or @";
  if (DOT_SEGMENT.test(decoded)) return "the path holds an encoded . or .. segment";
  return undefined;
}

/** Why `search` (`""` or `?…`) cannot be forwarded, or `undefined` when it can. */
export function queryProblem(search: string): string | undefined {
  if (search.includes("#")) return "the request target holds a fragment";
  if (ENCODED_CONTROL.test(search)) return "the query holds an encoded control character";
  return undefined;
}

/** A request target split at its first `?` into the path and the query (`""` or `?…`). */
export function splitTarget(target: string): { path: string; search: string } {
  const query = target.indexOf("?");
  if (query === -1) return { path: target, search: "" };
  return { path: target.slice(0, query), search: target.slice(query) };
}

/** Why `target` (a path and optional query) is not a normalized target, or `undefined`. */
export function targetProblem(target: string): string | undefined {
  const { path, search } = splitTarget(target);
  return pathProblem(path) ?? queryProblem(search);
}
