/**
 * The one way an upstream URL is made: the server's origin, then the server's own path prefix,
 * then a request's path and query. A request path never resolves against the server URL, so no
 * path (`//host/…`, `/\host`, `/%2F%2Fhost`) can name another host or climb out of the prefix.
 *
 * A path is accepted only when it is already normalized, which is stricter than kube-apiserver
 * (Go percent-decodes `%2F` into a separator, and its mux cleans `//` and dot segments) but loses
 * no API path: object names may hold neither `/` nor `%` nor be `.`/`..`
 * (apimachinery `path.IsValidPathSegmentName`).
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

/**
 * The upstream URL for `path` and `search` (`""` or `?…`) on `server`: its origin + its path
 * prefix + `path` + `search`. Throws when `path` is not normalized ({@linkcode pathProblem}):
 * callers reject such paths first.
 */
export function upstreamUrl(server: URL, path: string, search = ""): URL {
  const problem = pathProblem(path) ?? queryProblem(search);
  if (problem) throw new TypeError(`not an upstream path: ${problem}`);
  const prefix = server.pathname.endsWith("/") ? server.pathname.slice(0, -1) : server.pathname;
  return new URL(server.origin + prefix + path + search);
}
