/**
 * The one way an upstream URL is made: the server's origin, then the server's own path prefix,
 * then a request's path and query. A request path never resolves against the server URL, and only
 * a normalized one is accepted (`kube/request_path.ts`), so no path (`//host/…`, `/\host`,
 * `/%2F%2Fhost`) can name another host or climb out of the prefix.
 * @module
 */
import { pathProblem, queryProblem } from "../kube/request_path.ts";

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
