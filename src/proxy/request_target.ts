/**
 * The request target as the client sent it. `Deno.serve` hands over `request.url` unnormalized:
 * `http://` + the Host header + the raw target for origin-form (`GET /x`), or the raw target
 * itself for absolute-form (`GET http://h/x`). The URL parser would then quietly turn `\` into
 * `/` and resolve dot segments, so the target is checked as received, before anything parses it.
 * @module
 */
import { pathProblem, queryProblem } from "../kube/request_path.ts";

/**
 * The URL of `request` once its target is checked, or why it is refused: an absolute-form target
 * naming another authority than the Host header, a path that is not normalized
 * ({@linkcode pathProblem}), a query with a fragment or an encoded control character, or a Host
 * header the URL parser reads differently (so the parsed path differs from the one received).
 */
export function requestUrl(request: Request): URL | string {
  return checkedTarget(request.url, request.headers.get("host"));
}

/**
 * {@linkcode requestUrl} for a URL as received: `scheme://` + the Host header + the raw target
 * (origin-form), or the raw target itself (absolute-form).
 */
export function checkedTarget(raw: string, host: string | null): URL | string {
  const schemeEnd = raw.indexOf("://");
  let start: number;
  if (host) {
    start = schemeEnd + 3 + host.length;
    if (!raw.startsWith(host, schemeEnd + 3) || raw[start] !== "/") {
      return "the request target names another host than the Host header";
    }
  } else {
    start = raw.indexOf("/", schemeEnd + 3);
    if (start === -1) return "the request target has no path";
  }
  const query = raw.indexOf("?", start);
  const path = query === -1 ? raw.slice(start) : raw.slice(start, query);
  const search = query === -1 ? "" : raw.slice(query);
  const problem = pathProblem(path) ?? queryProblem(search);
  if (problem) return problem;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "the Host header is not a host";
  }
  return url.pathname === path ? url : "the Host header is not a host";
}
