/**
 * The proxy listener: `Deno.serve` around the proxy handler, with per-request metrics and a debug
 * log line once each response has been fully sent (watches included).
 * @module
 */
import type { Metrics } from "../admin/metrics.ts";
import type { ListenAddress } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import { internalError } from "../kube/status.ts";
import type { ProxyHandler } from "./handler.ts";
import { statusResponse } from "./respond.ts";

/** Serves `handler` on `address`. */
export function serveProxy(
  address: ListenAddress,
  handler: ProxyHandler,
  metrics: Metrics,
  logger: Logger,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: address.hostname,
    port: address.port,
    onListen: () => {},
  }, async (request, connection) => {
    const started = performance.now();
    let answered: Awaited<ReturnType<ProxyHandler>>;
    try {
      answered = await handler(request);
    } catch (error) {
      logger.error("proxy handler failed", { path: new URL(request.url).pathname, error });
      return statusResponse(internalError("holdfast failed to handle the request"), null);
    }
    const { response, classified } = answered;
    metrics.inflight.inc();
    const { verb, resource } = classified.info;
    const labels = { verb, resource, component: classified.component };
    connection.completed.finally(() => {
      metrics.inflight.dec();
      const seconds = (performance.now() - started) / 1000;
      metrics.requests.inc({ ...labels, code: String(response.status) });
      metrics.requestDuration.observe(labels, seconds);
      if (logger.enabled("debug")) {
        logger.debug("proxied", {
          method: request.method,
          path: classified.url.pathname,
          ...labels,
          code: response.status,
          ms: Math.round(seconds * 1000),
        });
      }
    });
    return response;
  });
}
