/**
 * The control API: the in-process handle over JSON/HTTP on a separate port, for driving a
 * simulator that runs as its own process (the demo, benchmarks). Routes are listed in
 * `README.md`; errors are `{"error": "..."}` with 400/404, or the API's `Status` for rejected
 * object writes.
 * @module
 */
import { statusResponse } from "./api.ts";
import type { Churn } from "./churn.ts";
import type { FaultRule } from "./faults.ts";
import type { Json } from "./fixtures.ts";
import type { RequestFilter } from "./requests.ts";
import type { Client } from "./server.ts";
import type { Simulator } from "./simulator.ts";
import { StatusError } from "./writes.ts";

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function filterOf(url: URL): RequestFilter {
  const filter: RequestFilter = {};
  const userAgent = url.searchParams.get("userAgent");
  const path = url.searchParams.get("path");
  const method = url.searchParams.get("method");
  if (userAgent !== null) filter.userAgent = new RegExp(userAgent);
  if (path !== null) filter.path = new RegExp(path);
  if (method !== null) filter.method = method;
  return filter;
}

/** The control API handler for `simulator`. */
export function controlHandler(simulator: Simulator) {
  const churns = new Map<number, Churn>();
  let nextChurn = 1;

  async function route(request: Request, url: URL): Promise<Response> {
    const route = `${request.method} ${url.pathname.replace(/\/+$/, "")}`;
    const body = async () => (await request.json()) as Json;
    switch (route) {
      case "GET /state":
        return json({
          url: simulator.url,
          resourceVersion: simulator.resourceVersion,
          watches: simulator.watchCount,
          faults: simulator.faults.list(),
          churns: [...churns.keys()],
        });
      case "POST /faults":
        return json({ id: simulator.faults.add(await body() as unknown as FaultRule) });
      case "DELETE /faults": {
        const id = url.searchParams.get("id");
        simulator.faults.clear(id === null ? undefined : Number(id));
        return json({ cleared: id ?? "all" });
      }
      case "POST /link/down":
        await simulator.faults.linkDown();
        return json({ link: "down" });
      case "POST /link/up":
        await simulator.faults.linkUp();
        return json({ link: "up" });
      case "POST /watches/cut":
        return json({ cut: simulator.faults.cutWatches() });
      case "POST /compact":
        simulator.compact();
        return json({ resourceVersion: simulator.resourceVersion });
      case "POST /restore":
        simulator.restore(Number((await body()).resourceVersion));
        return json({ resourceVersion: simulator.resourceVersion });
      case "GET /requests":
        return json({
          counts: simulator.requests.counts(filterOf(url)),
          recent: simulator.requests.recent(filterOf(url)),
        });
      case "DELETE /requests":
        simulator.requests.reset();
        return json({ reset: true });
      case "POST /objects": {
        const { op, resource, name, namespace, object, patch, patchType, subresource } =
          await body();
        const objects = simulator.objects;
        const r = String(resource);
        const ns = namespace as string | undefined;
        switch (op) {
          case "create":
            return json(objects.create(r, object as Json), 201);
          case "update":
            return json(objects.update(r, object as Json, subresource as "status" | undefined));
          case "patch":
            return json(objects.patch(r, String(name), patch, {
              namespace: ns,
              type: patchType as never,
              subresource: subresource as "status" | undefined,
            }));
          case "delete":
            return json(objects.delete(r, String(name), ns));
          case "get": {
            const found = objects.get(r, String(name), ns);
            return found ? json(found) : json({ error: "not found" }, 404);
          }
          default:
            return json({ error: `unknown op "${op}"` }, 400);
        }
      }
      case "POST /churn": {
        const churn = simulator.objects.churn(await body() as never);
        const id = nextChurn++;
        churns.set(id, churn);
        churn.done.then(() => churns.delete(id));
        return json({ id });
      }
      case "DELETE /churn": {
        const id = url.searchParams.get("id");
        const stopped = [...churns].filter(([key]) => id === null || key === Number(id));
        for (const [, churn] of stopped) churn.stop();
        return json({ stopped: stopped.map(([key]) => key) });
      }
      default:
        return json({ error: `no route ${route}` }, 404);
    }
  }

  return async (request: Request, _client: Client): Promise<Response> => {
    const url = new URL(request.url);
    try {
      return await route(request, url);
    } catch (error) {
      if (error instanceof StatusError) return statusResponse(error.status);
      return json({ error: String((error as Error).message ?? error) }, 400);
    }
  };
}
