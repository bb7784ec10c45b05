import { assertEquals } from "../assert.ts";
import { requestUrl } from "../../src/proxy/request_target.ts";

/**
 * A request with the Host header `host`. `new Request` normalizes its URL (unlike `Deno.serve`),
 * so raw path tricks are tested over TCP in `tests/security_test.ts`; these cover the Host logic.
 */
function received(url: string, host?: string): Request {
  return new Request(url, { headers: host === undefined ? {} : { host } });
}

function outcome(request: Request): string {
  const url = requestUrl(request);
  return typeof url === "string" ? `refused: ${url}` : url.pathname + url.search;
}

Deno.test("request target: the path follows the Host header, which must be a host; absolute-form only for its own authority", () => {
  const cases: [url: string, host: string | undefined, expected: string][] = [
    ["http://proxy:1/api/v1/pods?watch=1", "proxy:1", "/api/v1/pods?watch=1"],
    // A Host header holding a slash would move part of it into the path the URL parser sees.
    ["http://a/b/api/v1/pods", "a/b", "refused: the Host header is not a host"],
    ["http://localhost:1/api", undefined, "/api"],
    [
      "http://evil:1/api",
      "proxy:1",
      "refused: the request target names another host than the Host header",
    ],
    ["http://proxy:1//evil/api", "proxy:1", "refused: the path must not start with //"],
  ];
  for (const [url, host, expected] of cases) {
    assertEquals(outcome(received(url, host)), expected, `${url} with Host ${host}`);
  }
});
