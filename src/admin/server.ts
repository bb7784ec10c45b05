/**
 * The admin listener: liveness, readiness, status and Prometheus metrics over plain HTTP,
 * plus routes that later code adds through `extra`.
 * @module
 */
import { formatListenAddress } from "../config/address.ts";
import type { ListenAddress } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import type { Metrics } from "./metrics.ts";
import type { StatusReport } from "./status_report.ts";

/** What the admin routes read from the running agent. */
export interface AdminDeps {
  /** `true` when ready to serve; otherwise `false` or a sentence saying why not. */
  ready(): boolean | string;
  /** The current state for `GET /v1/status`. */
  status(): StatusReport | Promise<StatusReport>;
  metrics: Metrics;
  logger: Logger;
  /** Further routes (e.g. `/v1/cache/...`): a Response, or null to fall through to 404. */
  extra?: (req: Request) => Promise<Response | null> | Response | null;
}

const TEXT = { "content-type": "text/plain; charset=utf-8" };

/** The admin routes as a plain `Request` → `Response` function. */
export function createAdminHandler(deps: AdminDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    const { pathname } = new URL(req.url);
    const known = pathname === "/v1/healthz" || pathname === "/v1/readyz" ||
      pathname === "/v1/status" || pathname === "/metrics";
    if (known && req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", {
        status: 405,
        headers: { ...TEXT, allow: "GET, HEAD" },
      });
    }
    switch (pathname) {
      case "/v1/healthz":
        return new Response("OK", { headers: TEXT });
      case "/v1/readyz": {
        const ready = deps.ready();
        if (ready === true) return new Response("OK", { headers: TEXT });
        const reason = typeof ready === "string" && ready !== "" ? ready : "not ready";
        return new Response(reason, { status: 503, headers: TEXT });
      }
      case "/v1/status":
        return Response.json(await deps.status());
      case "/metrics":
        return new Response(await deps.metrics.registry.metrics(), {
          headers: { "content-type": deps.metrics.registry.contentType },
        });
    }
    return await deps.extra?.(req) ?? new Response("not found\n", { status: 404, headers: TEXT });
  };
}

/** Serves the admin routes on `address` (port 0 picks a free port; see `server.addr`). */
export function serveAdmin(
  address: ListenAddress,
  deps: AdminDeps,
): Deno.HttpServer<Deno.NetAddr> {
  const handler = createAdminHandler(deps);
  return Deno.serve({
    hostname: address.hostname,
    port: address.port,
    onListen: (addr) =>
      deps.logger.info("admin listener started", { address: formatListenAddress(addr) }),
    onError: (err) => {
      deps.logger.error("admin request failed", { error: err });
      return new Response("internal error\n", { status: 500, headers: TEXT });
    },
  }, handler);
}
