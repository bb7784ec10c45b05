/**
 * The proxy listener: `Deno.serve` around the proxy handler, with per-request metrics and a debug
 * log line once each response has been fully sent (watches included), and watch streams that end
 * cleanly (clients then re-watch from their last event) rather than break.
 * @module
 */
import type { RequestLabels } from "../admin/metric_labels.ts";
import type { Metrics } from "../admin/metrics.ts";
import type { ListenAddress } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import { internalError } from "../kube/status.ts";
import type { ClientTls } from "./credential.ts";
import type { ProxyHandler } from "./handler.ts";
import { statusResponse } from "./respond.ts";
import { endCleanly } from "../streams/end_cleanly.ts";

/** What the proxy listener reports to, and when it stops. */
export interface ServeProxyOptions {
  metrics: Metrics;
  /** Bounds the label values of per-request metrics. */
  labels: (verb: string, resource: string, component: string) => RequestLabels;
  logger: Logger;
  /** Aborted when shutting down: open watches would hold the shutdown. */
  closing: AbortSignal;
}

/**
 * Serves `handler` on `address`. Watch responses end cleanly when their upstream fails and as
 * soon as `closing` aborts.
 */
export function serveProxy(
  address: ListenAddress,
  handler: ProxyHandler,
  options: ServeProxyOptions,
): Deno.HttpServer<Deno.NetAddr> {
  const serve = proxyServing(handler, options);
  return Deno.serve({
    hostname: address.hostname,
    port: address.port,
    onListen: () => {},
  }, (request, connection) => serve(request, connection.remoteAddr, connection.completed));
}

/**
 * Answers one request through `handler`, for any listener: `remote` is the client's address,
 * `tls` what the HTTPS listener learned of it, and `completed` settles once the response has been
 * sent (or the client went away).
 */
export type ServeRequest = (
  request: Request,
  remote: Deno.Addr | undefined,
  completed: Promise<void>,
  tls?: ClientTls,
) => Promise<Response>;

/** The per-request part of a proxy listener: metrics, the debug log line, clean watch ends. */
export function proxyServing(
  handler: ProxyHandler,
  { metrics, labels: labelsOf, logger, closing }: ServeProxyOptions,
): ServeRequest {
  return async (request, remote, completed, tls) => {
    const started = performance.now();
    let answered: Awaited<ReturnType<ProxyHandler>>;
    try {
      answered = await handler(request, remote, tls);
    } catch (error) {
      logger.error("proxy handler failed", { path: new URL(request.url).pathname, error });
      return statusResponse(internalError("holdfast failed to handle the request"), null);
    }
    const { classified } = answered;
    let { response } = answered;
    if (classified.info.verb === "watch" && response.body) {
      response = new Response(endCleanly(response.body, closing), response);
    }
    metrics.inflight.inc();
    const { verb, resource } = classified.info;
    const labels = labelsOf(verb, resource, classified.component);
    completed.finally(() => {
      metrics.inflight.dec();
      const seconds = (performance.now() - started) / 1000;
      metrics.requests.inc({ ...labels, code: String(response.status) });
      metrics.requestDuration.observe(labels, seconds);
      if (logger.enabled("debug")) {
        logger.debug("proxied", {
          method: request.method,
          path: classified.url.pathname,
          verb,
          resource,
          component: classified.component,
          code: response.status,
          ms: Math.round(seconds * 1000),
        });
      }
    });
    return response;
  };
}
