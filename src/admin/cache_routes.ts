/**
 * The admin listener's cache routes: what the running agent's cache holds, read through
 * `cache/inspect.ts` and answered as JSON (`holdfast cache ls|get` ask these).
 * @module
 */
import { findObject, lsView, UnknownResource } from "../cache/inspect.ts";
import { type CacheStore, RecordDamaged } from "../cache/store.ts";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

const OBJECT_ROUTE = /^\/v1\/cache\/objects\/([^/]+)\/([^/]+)\/([^/]*)\/([^/]+)$/;

/**
 * Admin routes of a running agent: `GET /v1/cache/ls` (`LsView`) and
 * `GET /v1/cache/objects/<component>/<resource>/<namespace>/<name>` (`ObjectView`; the
 * namespace is `-` or empty for cluster-scoped objects; a 404 body says `reason: "NotCached"` or
 * `"UnknownResource"`, a 500 body `reason: "Damaged"`; Secrets and sealed resources redacted
 * unless `exposeSecrets`). Resolves null for other paths.
 */
export function cacheAdminRoutes(
  store: CacheStore,
  exposeSecrets = false,
): (req: Request) => Promise<Response | null> {
  return async (req) => {
    const { pathname } = new URL(req.url);
    const route = pathname === "/v1/cache/ls" ? "ls" : OBJECT_ROUTE.exec(pathname);
    if (!route) return null;
    if (req.method !== "GET") return json({ error: "method not allowed" }, 405);
    if (route === "ls") return json(await lsView(store));
    let parts: string[];
    try {
      parts = route.slice(1).map(decodeURIComponent);
    } catch {
      return json({ error: "malformed path" }, 400);
    }
    const [component, resource, namespace, name] = parts;
    try {
      const view = await findObject(
        store,
        component,
        resource,
        namespace === "-" ? "" : namespace,
        name,
        exposeSecrets,
      );
      if (view) return json(view);
      return json({ reason: "NotCached", error: `${namespace}/${name} is not cached` }, 404);
    } catch (error) {
      if (error instanceof UnknownResource) {
        return json({ reason: "UnknownResource", error: error.message }, 404);
      }
      if (error instanceof RecordDamaged) {
        return json({ reason: "Damaged", error: error.message }, 500);
      }
      throw error;
    }
  };
}
