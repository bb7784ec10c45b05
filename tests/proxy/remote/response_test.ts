import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { type Classified, classify } from "../../../src/proxy/classify.ts";
import {
  clientResponse,
  MAX_SMALL_BODY_BYTES,
  type ResponseDeps,
} from "../../../src/proxy/remote/response.ts";
import type { ResponseFilter } from "../../../src/filters/chain.ts";
import { StreamCut } from "../../../src/streams/bounded_tee.ts";
import { randomChunks, seededRandom } from "../../kube/json/fixtures.ts";

const encoder = new TextEncoder();
const POD = encoder.encode('{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"}}');

function classified(ua: string, path = "/api/v1/namespaces/default/pods/a"): Classified {
  const url = new URL(path, "http://holdfast.local");
  const request = new Request(url, { headers: { "user-agent": ua } });
  return classify(request, url, new Set(["kubelet"]));
}

/** An upstream answer whose body arrives in `chunks`, with the given headers. */
function upstream(chunks: Uint8Array[], headers: Record<string, string> = {}): Response {
  return new Response(ReadableStream.from(chunks), { headers });
}

/** Deps that count metered bytes and keep what the cache branch received, and how it ended. */
function deps(filters: ResponseFilter[] = []) {
  const metered: number[] = [];
  const cached: Promise<Uint8Array>[] = [];
  const cuts: Promise<StreamCut | undefined>[] = [];
  const whole: boolean[] = [];
  const value: ResponseDeps = {
    filters,
    maxCacheLagBytes: 1 << 20,
    onUpstreamBytes: (bytes) => metered.push(bytes),
    cache: (_classified, _response, body, cut) => {
      whole.push(body instanceof Uint8Array);
      cached.push(new Response(body as BodyInit).bytes());
      cuts.push(cut);
      return Promise.resolve();
    },
  };
  return { value, metered, cached, cuts, whole, total: () => metered.reduce((a, b) => a + b, 0) };
}

/** Lets the timers that hand a read body to the cache run. */
function afterAnswer(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const halves = [POD.subarray(0, 20), POD.subarray(20)];

Deno.test("clientResponse: an uncached body with a declared length is handed over as fetch gave it, its length metered", async () => {
  const d = deps();
  const answer = upstream(halves, { "content-length": String(POD.length) });
  const body = answer.body;
  const response = await clientResponse(answer, classified("curl/8"), d.value);
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
    const response = await clientResponse(answer, classified("curl/8"), d.value);
    assert(response.body === body, "the client reads the upstream body itself");
    assertEquals(await response.bytes(), POD);
    assertEquals(d.total(), 0);
    assertEquals(response.headers.get("content-length"), null);
  }
});

Deno.test("clientResponse: a small cached body is read once, metered once, and handed to the cache only after the answer", async () => {
  const headers: Record<string, string>[] = [{ "content-length": String(POD.length) }, {}];
  for (const header of headers) {
    const d = deps();
    const answer = upstream(halves, header);
    const response = await clientResponse(answer, classified("kubelet/v1.37.0"), d.value);
    assertEquals(d.cached.length, 0, "nothing for the cache before the answer is handed over");
    assertEquals(await response.bytes(), POD);
    assertEquals(d.metered, [20, POD.length - 20]);
    await afterAnswer();
    assertEquals(d.whole, [true]);
    assertEquals(await d.cached[0], POD);
    assertEquals(await d.cuts[0], undefined);
  }
});

Deno.test("clientResponse: generated bodies that do not end at their declared length reach the client as sent and the cache as cut", async () => {
  const random = seededRandom(16);
  for (let round = 0; round < 200; round++) {
    const size = 1 + Math.floor(random() * 20_000);
    const body = Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
    const shorter = round % 2 === 0;
    const declared = shorter ? size + 1 + Math.floor(random() * 1000) : Math.floor(random() * size);
    const d = deps();
    const chunks = randomChunks(body, random, 1 + Math.floor(random() * 8000));
    const answer = upstream(chunks, { "content-length": String(declared) });
    const response = await clientResponse(answer, classified("kubelet/v1.37.0"), d.value);
    const label = `round ${round}: ${size} bytes, ${declared} declared`;
    assertEquals(await response.bytes(), body, label);
    assertEquals(d.total(), size, label);
    await afterAnswer();
    assertEquals(d.cuts.length, 1, label);
    assert((await d.cuts[0]) instanceof StreamCut, label);
  }
});

Deno.test("clientResponse: a small cached body whose upstream fails reaches the client as read and then fails, and the cache as cut", async () => {
  const failure = new Error("connection reset");
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ === 0) controller.enqueue(halves[0]);
      else controller.error(failure);
    },
  }, { highWaterMark: 0 });
  const d = deps();
  const response = await clientResponse(
    new Response(body, { headers: { "content-length": String(POD.length) } }),
    classified("kubelet/v1.37.0"),
    d.value,
  );
  const reader = response.body!.getReader();
  assertEquals((await reader.read()).value, halves[0]);
  assert(await assertRejects(() => reader.read()) === failure);
  await afterAnswer();
  const cut = await d.cuts[0];
  assert(cut instanceof StreamCut && cut.cause === failure);
});

Deno.test("clientResponse: a cached body past the small limit, or a list, goes through the tee: streamed to the cache, metered once", async () => {
  const large = new Uint8Array(MAX_SMALL_BODY_BYTES + 1).fill(7);
  const cases: { chunks: Uint8Array[]; headers: Record<string, string>; path?: string }[] = [
    { chunks: [large.subarray(0, 1000), large.subarray(1000)], headers: {}, path: undefined },
    {
      chunks: [large],
      headers: { "content-length": String(large.length) },
      path: undefined,
    },
    { chunks: halves, headers: {}, path: "/api/v1/namespaces/default/pods" },
  ];
  for (const { chunks, headers, path } of cases) {
    const d = deps();
    const answer = upstream(chunks, headers);
    const response = await clientResponse(answer, classified("kubelet/v1.37.0", path), d.value);
    assertEquals(d.whole, [false], "the cache gets a stream, at once");
    const expected = chunks.length === 2 && chunks[0] === halves[0] ? POD : large;
    assertEquals(await response.bytes(), expected);
    assertEquals(await d.cached[0], expected);
    assertEquals(d.total(), expected.length);
  }
});

Deno.test("clientResponse: a filtered body is metered before the filter changes it", async () => {
  const firstByte: ResponseFilter = () =>
    new TransformStream({
      transform: (chunk, controller) => controller.enqueue(chunk.subarray(0, 1)),
    });
  for (const ua of ["curl/8", "kubelet/v1.37.0"]) {
    const d = deps([firstByte]);
    const answer = upstream(halves, { "content-length": String(POD.length) });
    const response = await clientResponse(answer, classified(ua), d.value);
    assertEquals((await response.bytes()).length, 2, ua);
    assertEquals(d.total(), POD.length, ua);
  }
});
