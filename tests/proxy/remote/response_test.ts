import { assert, assertEquals } from "../../assert.ts";
import { type Classified, classify } from "../../../src/proxy/classify.ts";
import { clientResponse, type ResponseDeps } from "../../../src/proxy/remote/response.ts";
import type { ResponseFilter } from "../../../src/filters/chain.ts";

const encoder = new TextEncoder();
const POD = encoder.encode('{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"}}');

function classified(ua: string): Classified {
  const url = new URL("/api/v1/namespaces/default/pods/a", "http://holdfast.local");
  const request = new Request(url, { headers: { "user-agent": ua } });
  return classify(request, url, new Set(["kubelet"]));
}

/** An upstream answer whose body arrives in `chunks`, with the given headers. */
function upstream(chunks: Uint8Array[], headers: Record<string, string> = {}): Response {
  return new Response(ReadableStream.from(chunks), { headers });
}

/** Deps that count metered bytes and keep what the cache branch received. */
function deps(filters: ResponseFilter[] = []) {
  const metered: number[] = [];
  const cached: Promise<Uint8Array>[] = [];
  const value: ResponseDeps = {
    filters,
    maxCacheLagBytes: 1 << 20,
    onUpstreamBytes: (bytes) => metered.push(bytes),
    cache: (_classified, _response, body) => {
      cached.push(new Response(body).bytes());
      return Promise.resolve();
    },
  };
  return { value, metered, cached, total: () => metered.reduce((a, b) => a + b, 0) };
}

const halves = [POD.subarray(0, 20), POD.subarray(20)];

Deno.test("clientResponse: an uncached body with a declared length is handed over as fetch gave it, its length metered", async () => {
  const d = deps();
  const answer = upstream(halves, { "content-length": String(POD.length) });
  const body = answer.body;
  const response = clientResponse(answer, classified("curl/8"), d.value);
  assert(response.body === body, "the client reads the upstream body itself");
  assertEquals(d.total(), POD.length);
  assertEquals(await response.bytes(), POD);
  assertEquals(d.cached.length, 0);
});

Deno.test("clientResponse: an uncached body without a declared length or decoded by fetch is handed over unmetered", async () => {
  const headers: Record<string, string>[] = [{}, {
    "content-encoding": "gzip",
    "content-length": "9",
  }];
  for (const header of headers) {
    const d = deps();
    const answer = upstream(halves, header);
    const body = answer.body;
    const response = clientResponse(answer, classified("curl/8"), d.value);
    assert(response.body === body, "the client reads the upstream body itself");
    assertEquals(await response.bytes(), POD);
    assertEquals(d.total(), 0);
    assertEquals(response.headers.get("content-length"), null);
  }
});

Deno.test("clientResponse: a cached body is metered by the tee once, and the cache gets what the client got", async () => {
  const d = deps();
  const answer = upstream(halves, { "content-length": String(POD.length) });
  const response = clientResponse(answer, classified("kubelet/v1.37.0"), d.value);
  assertEquals(await response.bytes(), POD);
  assertEquals(d.metered, [20, POD.length - 20]);
  assertEquals(d.cached.length, 1);
  assertEquals(await d.cached[0], POD);
});

Deno.test("clientResponse: a filtered body is metered before the filter changes it", async () => {
  const firstByte: ResponseFilter = () =>
    new TransformStream({
      transform: (chunk, controller) => controller.enqueue(chunk.subarray(0, 1)),
    });
  for (const ua of ["curl/8", "kubelet/v1.37.0"]) {
    const d = deps([firstByte]);
    const answer = upstream(halves, { "content-length": String(POD.length) });
    const response = clientResponse(answer, classified(ua), d.value);
    assertEquals((await response.bytes()).length, 2, ua);
    assertEquals(d.total(), POD.length, ua);
  }
});
